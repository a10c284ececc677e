/**
 * Sandbox worker process (plain JS so the child starts without a TypeScript loader). Forked by pool.ts with
 * `--no-node-snapshot` (isolated-vm needs it). Holds one isolate per deployment (blocklet@version, never per
 * code hash: byte-identical bundles of two blocklets get two isolates, so no module state crosses them), with the
 * module compiled once and its context reused across invocations of that deployment; enforces wall-clock, CPU and
 * memory limits; forwards host calls of the blocklet to the pool over IPC. Protocol: see protocol.ts.
 *
 * This file wires the parts and answers the pool's control messages: worker-state.mjs (shared state, source
 * cache), worker-isolate.mjs (isolates), worker-invoke.mjs (invocations), worker-bridge.mjs (host calls).
 */
import { answerHostCall, bridgeRef } from './worker-bridge.mjs';
import { runOp, sourceArrived, startInvoke } from './worker-invoke.mjs';
import { configureIsolates, createEntry, disposeEntry, entryKey, prepareSpare, startWatchdog } from './worker-isolate.mjs';
import { entries, forgetSource, rememberSource, send } from './worker-state.mjs';

configureIsolates({ bridge: bridgeRef, restart: runOp });
startWatchdog();

async function warm(message) {
  rememberSource(message.hash, message.source);
  const key = entryKey(message.deployment, message.hash, message.limits.memoryMb);
  const entry = entries.get(key) ?? createEntry(key, message.deployment, message.hash, message.limits, message.source);
  try {
    await entry.ready;
    send({ t: 'done', id: message.id, isolates: entries.size });
  } catch (error) {
    send({ t: 'done', id: message.id, isolates: entries.size, error: { code: error.code ?? 'BLOCKLET_ERROR', message: error.message } });
  }
  prepareSpare();
}

function evict(message) {
  const hashes = new Set();
  for (const entry of [...entries.values()]) {
    if (entry.deployment !== message.deployment) continue;
    hashes.add(entry.hash);
    entries.delete(entry.key);
    // In-flight invocations of the old version finish; the isolate goes when they have.
    const dispose = () => {
      if (entry.running.size === 0 && entry.waiting.length === 0) disposeEntry(entry, 'BLOCKLET_CRASHED', 'evicted', null);
      else setTimeout(dispose, 50);
    };
    entry.ready.then(dispose, () => {});
  }
  // Another deployment of the same bundle keeps the source; the pool sends it again if a later call needs it.
  for (const entry of entries.values()) hashes.delete(entry.hash);
  for (const hash of hashes) forgetSource(hash);
  send({ t: 'done', id: message.id, isolates: entries.size });
}

process.on('message', (message) => {
  switch (message.t) {
    case 'invoke':
      startInvoke(message);
      break;
    case 'host-result':
      answerHostCall(message);
      break;
    case 'source':
      rememberSource(message.hash, message.source);
      sourceArrived(message.hash);
      break;
    case 'warm':
      warm(message);
      break;
    case 'evict':
      evict(message);
      break;
    default:
      throw new Error(`unknown message ${message.t}`);
  }
});

// The pool is our only reason to live: if it goes, so do we.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready', pid: process.pid });
