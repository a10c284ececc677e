/**
 * The bridge, a blocklet's only way out of its isolate: the shim calls it for every host call and log line; calls
 * are checked against the worker's bounds and forwarded to the pool over IPC, whose answers go back into the isolate.
 */
import ivm from 'isolated-vm';
import { deliverReply } from './worker-invoke.mjs';
import { bounds, hostCalls, ops, send } from './worker-state.mjs';

const HOST_METHODS = new Set([
  'kv.get',
  'kv.set',
  'kv.delete',
  'kv.list',
  'publish',
  'fetch',
  'ocap.query',
  'ocap.send',
  'ocap.native',
  'ledger.did',
  'ledger.submit',
  'blocklets.call',
  'keys.info',
  'keys.sign',
  'keys.signTypedData',
  'keys.signEthereumTransaction',
  'keys.approve',
  'keys.cosign',
  'abi.encode',
  'abi.decode',
  'abi.keccak256',
]);
let hostCallSeq = 0;

function reply(ok, payload) {
  return ok ? payload : JSON.stringify({ ok: false, code: payload.code, message: payload.message, retriable: false });
}

/**
 * Called by the shim (applyIgnored: the isolate does not wait). A host call's answer goes back into the isolate
 * as a task of its own (`deliverReply`); a call of an invocation that has ended is dropped, never answered.
 */
function bridge(token, method, argsJson, shimCallId) {
  const op = ops.get(token);
  if (op === undefined || op.done) return;
  if (method === 'log') {
    forwardLog(op, argsJson);
    return;
  }
  if (typeof shimCallId !== 'number') return;
  if (typeof method !== 'string' || !HOST_METHODS.has(method) || typeof argsJson !== 'string') {
    deliverReply(op, shimCallId, reply(false, { code: 'UNKNOWN_METHOD', message: `unknown host method ${String(method)}` }));
    return;
  }
  op.hostCallCount += 1;
  if (op.hostCallCount > bounds.maxHostCallsPerInvocation) {
    const message = `over ${bounds.maxHostCallsPerInvocation} host calls in one invocation`;
    deliverReply(op, shimCallId, reply(false, { code: 'HOST_CALL_LIMIT', message }));
    return;
  }
  if (Buffer.byteLength(argsJson) > bounds.maxHostArgsBytes) {
    const message = `${method}: arguments exceed ${bounds.maxHostArgsBytes} bytes`;
    deliverReply(op, shimCallId, reply(false, { code: 'PAYLOAD_TOO_LARGE', message }));
    return;
  }
  hostCallSeq += 1;
  const callId = hostCallSeq;
  hostCalls.set(callId, { op, shimCallId });
  op.hostCallIds.add(callId);
  send({ t: 'host', id: op.id, callId, method, args: argsJson });
}

function forwardLog(op, argsJson) {
  if (typeof argsJson !== 'string') return;
  op.logLines += 1;
  op.logBytes += argsJson.length;
  // The SDK already truncates; this is the authoritative bound (one extra line for its truncation notice).
  if (op.logLines > bounds.maxLogLinesPerInvocation + 1 || op.logBytes > bounds.maxLogBytesPerInvocation + 1024) return;
  let args;
  try {
    args = JSON.parse(argsJson);
  } catch {
    return;
  }
  if (!Array.isArray(args) || typeof args[0] !== 'string' || typeof args[1] !== 'string') return;
  send({ t: 'log', id: op.id, level: args[0], line: args[1] });
}

/** The reference the shim of every isolate holds (the bridge is applied ignored: the isolate does not wait). */
export const bridgeRef = new ivm.Reference(bridge);

/** The pool's answer to a host call: delivered into the isolate, unless its invocation has ended. */
export function answerHostCall(message) {
  const pending = hostCalls.get(message.callId);
  if (pending === undefined) return;
  hostCalls.delete(message.callId);
  pending.op.hostCallIds.delete(message.callId);
  deliverReply(pending.op, pending.shimCallId, message.reply);
}
