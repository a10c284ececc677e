// A signature-verification worker: plain JavaScript so it runs under any loader (tsx, vitest, node).
// Receives batches of (publicKey, message, signature) and answers one boolean per item.
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

parentPort.on('message', ({ id, items, testHook }) => {
  // Tests kill or wedge a worker under load this way (verify-pool.ts testHook).
  if (testHook === 'exit') process.exit(1);
  if (testHook === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  if (testHook !== undefined) return;
  const results = items.map(({ publicKey, message, signature }) => {
    try {
      return verify(null, message, keyOf(publicKey), signature);
    } catch (error) {
      if (error instanceof Error) return false;
      throw error;
    }
  });
  parentPort.postMessage({ id, results });
});
