// A signature-verification worker: plain JavaScript so it runs under any loader (tsx, vitest, node).
// Receives batches packed by verify-pool.ts packBatch (per item, one transaction: signer count u8, message length u32
// little-endian, per signer a 32-byte public key and a 64-byte signature, then the message) and answers one byte per
// item: bit i set when signer i's signature verifies (signers in order, stopping at the first that does not).
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

const HEADER_BYTES = 5;
const SIGNER_BYTES = 96;
/** Signers of one item (a mask of them fits in the answer's byte). */
const SIGNERS_MAX = 8;

/** Verifies every item of a packed batch; a batch cut short answers no mask for what it could not read. */
function verifyPacked(packed) {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const results = [];
  let at = 0;
  while (at + HEADER_BYTES <= packed.length) {
    const signers = packed[at];
    const length = view.getUint32(at + 1, true);
    const message = at + HEADER_BYTES + signers * SIGNER_BYTES;
    const end = message + length;
    if (signers > SIGNERS_MAX || end > packed.length) break;
    let verified = 0;
    for (let i = 0; i < signers; i++) {
      const key = at + HEADER_BYTES + i * SIGNER_BYTES;
      if (!verifies(packed.subarray(key, key + 32), packed.subarray(message, end), packed.subarray(key + 32, key + SIGNER_BYTES))) break;
      verified |= 1 << i;
    }
    results.push(verified);
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
