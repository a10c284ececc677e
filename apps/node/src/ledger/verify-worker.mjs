// A signature-verification worker: plain JavaScript so it runs under any loader (tsx, vitest, node).
// Receives batches packed by verify-pool.ts packBatch (per item: 32-byte public key, 64-byte signature, message
// length u32 little-endian, message) and answers one byte per item: 1 verifies, 0 does not.
import { createPublicKey, verify } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const CACHE_MAX = 100_000;
const keys = new Map();

function keyOf(raw) {
  const id = Buffer.from(raw).toString('hex');
  let key = keys.get(id);
  if (key === undefined) {
    if (keys.size >= CACHE_MAX) keys.clear();
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    keys.set(id, key);
  }
  return key;
}

function verifies(publicKey, message, signature) {
  try {
    return verify(null, message, keyOf(publicKey), signature);
  } catch (error) {
    if (error instanceof Error) return false;
    throw error;
  }
}

/** Verifies every item of a packed batch; a batch cut short answers 0 for what it could not read. */
function verifyPacked(packed) {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const results = [];
  let at = 0;
  while (at + 100 <= packed.length) {
    const length = view.getUint32(at + 96, true);
    const end = at + 100 + length;
    if (end > packed.length) break;
    const ok = verifies(packed.subarray(at, at + 32), packed.subarray(at + 100, end), packed.subarray(at + 32, at + 96));
    results.push(ok ? 1 : 0);
    at = end;
  }
  return Uint8Array.from(results);
}

parentPort.on('message', ({ id, packed, testHook }) => {
  // Tests kill or wedge a worker under load this way (verify-pool.ts testHook).
  if (testHook === 'exit') process.exit(1);
  if (testHook === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  if (testHook !== undefined) return;
  const results = verifyPacked(packed);
  parentPort.postMessage({ id, results }, [results.buffer]);
});
