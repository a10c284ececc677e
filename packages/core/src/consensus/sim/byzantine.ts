/**
 * A Byzantine node's sends. It runs an honest `Agreement` with its own key and bends what that machine sends, with real
 * signatures of its key (so only the protocol, not a signature check, can stop it):
 * - an equivocating proposer sends its block to one half of the network and a second block (another nonce, the same
 *   sortition proof) to the other half;
 * - a double voter sends each vote to one half and a vote for another value at the same step to the other half: the
 *   empty value against a block, or another block it has seen at the height against the empty value or a block.
 * Certificates go out unchanged.
 */
import { bytesEqual } from '../../bytes.ts';
import { type ConsensusMessage, EMPTY_VALUE, signProposal, signVote } from '../messages.ts';
import { blockValue, decodeBlock, encodeBlock } from './app.ts';
import type { NodeSetup } from './node.ts';

export interface AddressedMessage {
  to: number;
  message: ConsensusMessage;
}

/** The second value a double voter signs for a step where its machine voted `value`. */
function otherValue(setup: NodeSetup, seenValues: Uint8Array[], value: Uint8Array): Uint8Array {
  const others = seenValues.filter((v) => !bytesEqual(v, value));
  const empty = bytesEqual(value, EMPTY_VALUE);
  if (others.length > 0 && (empty || setup.rng.chance(0.5))) return setup.rng.pick(others);
  return empty ? setup.rng.bytes(32) : EMPTY_VALUE;
}

/** The second message, or null when this node's kind does not bend this message. */
function twin(setup: NodeSetup, seenValues: Uint8Array[], m: ConsensusMessage): ConsensusMessage | null {
  const kind = setup.byzantine;
  if (m.kind === 'proposal' && (kind === 'equivocate' || kind === 'both')) {
    const block = decodeBlock(m.payload);
    if (!block) return null;
    const payload = encodeBlock({ ...block, nonce: (block.nonce + 1 + setup.rng.int(0, 1_000)) >>> 0 });
    const value = blockValue(payload);
    seenValues.push(value);
    const { kind: _kind, signature: _signature, ...fields } = m;
    return signProposal({ ...fields, value, payload }, setup.key.secretKey);
  }
  if (m.kind === 'vote' && (kind === 'doubleVote' || kind === 'both')) {
    const { kind: _kind, signature: _signature, ...fields } = m;
    return signVote({ ...fields, value: otherValue(setup, seenValues, m.value) }, setup.key.secretKey);
  }
  return null;
}

/** Who gets which message when a Byzantine node's machine sends `m` to everyone. */
export function byzantineSends(setup: NodeSetup, nodeCount: number, seenValues: Uint8Array[], m: ConsensusMessage): AddressedMessage[] {
  const second = twin(setup, seenValues, m);
  const out: AddressedMessage[] = [];
  for (let peer = 0; peer < nodeCount; peer += 1) {
    if (peer === setup.id) continue;
    const inHalf = setup.byzantineHalf.includes(peer);
    out.push({ to: peer, message: second && !inHalf ? second : m });
  }
  return out;
}
