// A signature-verification worker: plain JavaScript so it runs under any loader (tsx, vitest, node).
// Receives batches packed by verify-batch.ts packBatch (per item, one transaction: signer count u8, message length u32
// little-endian, per signer a 32-byte public key and a 64-byte signature, then the message) and answers one byte per
// item: bit i set when signer i's signature verifies (signers in order, stopping at the first that does not).
// A batch-sponsored transaction (core's ledger/sponsor.ts) sets SPONSORED in its signer count (always 2: sender, fee
// payer) and follows its message with its leaf index u32, proof depth u8, the proof's 32-byte siblings, and the
// sponsor message's prefix (length u8, bytes): the fee payer signed prefix ‖ root, the root the proof leads to from
// the message. Each (payer key, signature, prefix ‖ root) is verified once while this worker remembers it (the pool
// sends every transaction of one batch signature to the same worker).
import { createPublicKey, hash as digest, verify } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

// Shared with verify-pool.ts: [0] the seq (the pool's count of batches sent to this worker) of the last batch answered, [1] a step count bumped at each batch's start and
// end. The pool reads them when a batch's timer runs out on its own (possibly stalled) thread.
const progress = workerData?.progress instanceof Int32Array ? workerData.progress : new Int32Array(2);
const PROGRESS_DONE = 0;
const PROGRESS_STEPS = 1;

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

const SPONSORED = 0x80;
const SPONSORSHIPS_MAX = 4096;
/** Batch sponsorship answers by payer key, signature and signed message (a pure function of them). */
const sponsorships = new Map();
const LEAF = 0;
const NODE = 1;
/** A tree node's hash input (0x01 ‖ left ‖ right), reused: hashing runs one at a time on this thread. */
const nodeInput = Buffer.alloc(65);
nodeInput[0] = NODE;

const sha3 = (data) => digest('sha3-256', data, 'buffer');

/** The root a sponsored transaction's proof leads to from its signing bytes (as core's sponsorRoot). */
function sponsorRoot(message, index, proof) {
  const leaf = Buffer.allocUnsafe(1 + message.length);
  leaf[0] = LEAF;
  leaf.set(message, 1);
  let hash = sha3(leaf);
  proof.forEach((sibling, level) => {
    const right = (index >>> level) & 1;
    nodeInput.set(right ? sibling : hash, 1);
    nodeInput.set(right ? hash : sibling, 33);
    hash = sha3(nodeInput);
  });
  return hash;
}

function sponsorVerifies(publicKey, signature, signed) {
  const key = Buffer.concat([publicKey, signature, signed]).toString('base64');
  let answer = sponsorships.get(key);
  if (answer === undefined) {
    answer = verifies(publicKey, signed, signature);
    if (sponsorships.size >= SPONSORSHIPS_MAX) sponsorships.delete(sponsorships.keys().next().value);
    sponsorships.set(key, answer);
  }
  return answer;
}

/** A sponsored item's tail after its message: [index, proof, prefix, end], or null when the batch is cut short. */
function readSponsorTail(packed, view, at) {
  if (at + 5 > packed.length) return null;
  const index = view.getUint32(at, true);
  const depth = packed[at + 4];
  let cursor = at + 5;
  if (cursor + depth * 32 + 1 > packed.length) return null;
  const proof = [];
  for (let level = 0; level < depth; level++, cursor += 32) proof.push(packed.subarray(cursor, cursor + 32));
  const prefixLength = packed[cursor];
  cursor += 1;
  if (cursor + prefixLength > packed.length) return null;
  return [index, proof, packed.subarray(cursor, cursor + prefixLength), cursor + prefixLength];
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
    const sponsored = (packed[at] & SPONSORED) !== 0;
    const signers = packed[at] & ~SPONSORED;
    const length = view.getUint32(at + 1, true);
    const message = at + HEADER_BYTES + signers * SIGNER_BYTES;
    let end = message + length;
    if (signers > SIGNERS_MAX || (sponsored && signers !== 2) || end > packed.length) break;
    const signed = packed.subarray(message, end);
    let verified = 0;
    if (sponsored) {
      const tail = readSponsorTail(packed, view, end);
      if (tail === null) break;
      const [index, proof, prefix, tailEnd] = tail;
      const sender = at + HEADER_BYTES;
      const payer = sender + SIGNER_BYTES;
      if (verifies(packed.subarray(sender, sender + 32), signed, packed.subarray(sender + 32, payer))) {
        verified = 1;
        const root = sponsorRoot(signed, index, proof);
        if (
          sponsorVerifies(
            packed.subarray(payer, payer + 32),
            packed.subarray(payer + 32, payer + SIGNER_BYTES),
            Buffer.concat([prefix, root]),
          )
        )
          verified |= 2;
      }
      end = tailEnd;
    } else {
      for (let i = 0; i < signers; i++) {
        const key = at + HEADER_BYTES + i * SIGNER_BYTES;
        if (!verifies(packed.subarray(key, key + 32), signed, packed.subarray(key + 32, key + SIGNER_BYTES))) break;
        verified |= 1 << i;
      }
    }
    results.push(verified);
    at = end;
  }
  return Uint8Array.from(results);
}

parentPort.on('message', ({ id, seq, packed, testHook }) => {
  // Tests kill or wedge a worker under load this way (verify-pool.ts testHook).
  if (testHook === 'exit') process.exit(1);
  if (testHook === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  if (testHook !== undefined) return;
  Atomics.add(progress, PROGRESS_STEPS, 1);
  const results = verifyPacked(packed);
  Atomics.store(progress, PROGRESS_DONE, seq);
  Atomics.add(progress, PROGRESS_STEPS, 1);
  parentPort.postMessage({ id, results }, [results.buffer]);
});
