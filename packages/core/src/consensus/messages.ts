/**
 * What nodes say to each other in BA*: proposals and votes, each signed by its sender's ed25519 key and carrying the
 * sender's sortition proof; credentials, a proposer's sortition proof sent ahead of its block (the paper's priority
 * message: every node learns within one round trip which block to wait for); and certificates, the votes that
 * decided an attempt. One canonical encoding each (the
 * codec's), a kind byte first, so a message's hash is the same everywhere and gossip can drop repeats by it.
 */
import { concatBytes } from '../bytes.ts';
import { VRF_PROOF_BYTES } from '../crypto/ecvrf.ts';
import { signMessage } from '../crypto/keys.ts';
import { sha3, verifySignature } from '../crypto/provider.ts';
import { CodecError, Reader, Writer } from '../encoding/codec.ts';

/** The value for "no block in this attempt" (the paper's empty hash). */
export const EMPTY_VALUE = new Uint8Array(32);
/** The final step's number: after every binary step a network would reach. */
export const FINAL_STEP = 0xffff;
/** Step numbers: the two reduction steps, then binary BA*'s steps from 3. */
export const REDUCTION_ONE = 1;
export const REDUCTION_TWO = 2;
export const BINARY_FIRST = 3;

export const CONSENSUS_LIMITS = {
  /** The largest proposal payload (a block with its transactions) a message may carry. */
  payloadBytesMax: 64 * 1024 * 1024,
  /** Votes in one certificate (one per member: a network of more members needs sampled committees). */
  certificateVotesMax: 10_000,
  heightMax: Number.MAX_SAFE_INTEGER,
};

/** Where a vote or proposal belongs: the height, the attempt at it, and the block it builds on. */
export interface Slot {
  height: number;
  attempt: number;
  prevHash: Uint8Array;
}

export interface Vote extends Slot {
  kind: 'vote';
  step: number;
  value: Uint8Array;
  voter: Uint8Array;
  /**
   * The voter's sortition proof for (seed, committee, height, attempt, step); empty where the step's committee is the
   * whole stake and the step draws no coin (`voteProofNeeded`): the vote then weighs its voter's stake.
   */
  proof: Uint8Array;
  signature: Uint8Array;
}

export interface Proposal extends Slot {
  kind: 'proposal';
  /** The proposed block's hash (what votes name). */
  value: Uint8Array;
  proposer: Uint8Array;
  /** The proposer's sortition proof for (seed, proposer, height, attempt, 0). */
  proof: Uint8Array;
  /** The block itself, as the host encodes it; the host checks it hashes to `value`. */
  payload: Uint8Array;
  signature: Uint8Array;
}

/**
 * A proposer's credential, sent when the attempt begins, before its block is built: the VRF proof alone
 * authenticates it (only the key's holder can make a proof that verifies), so it carries no signature.
 */
export interface Credential extends Slot {
  kind: 'credential';
  proposer: Uint8Array;
  /** The proposer's sortition proof for (seed, proposer, height, attempt, 0). */
  proof: Uint8Array;
}

/** The votes of one step that passed its threshold for one value: proof of what an attempt decided. */
export interface Certificate extends Slot {
  kind: 'certificate';
  step: number;
  value: Uint8Array;
  votes: Vote[];
  /** The decided block, so a node that missed the proposal can take it (empty when not carried). */
  payload: Uint8Array;
}

export type ConsensusMessage = Vote | Proposal | Certificate | Credential;

const KIND = { vote: 1, proposal: 2, certificate: 3, credential: 4 } as const;

function writeSlot(w: Writer, s: Slot): Writer {
  return w.uint(s.height).uint(s.attempt).fixed(s.prevHash, 32);
}

function readSlot(r: Reader): Slot {
  return { height: r.uint(), attempt: r.uint(), prevHash: r.fixed(32) };
}

/** The bytes a vote's signature covers. */
export function voteSigningBytes(v: Omit<Vote, 'signature' | 'kind'>): Uint8Array {
  return writeVoteProof(
    writeSlot(new Writer().string('arc-vote-v2'), v).uint(v.step).fixed(v.value, 32).fixed(v.voter, 32),
    v.proof,
  ).finish();
}

/** A vote's sortition proof: a flag, then the 80-byte proof when there is one (a whole-stake vote may carry none). */
function writeVoteProof(w: Writer, proof: Uint8Array): Writer {
  if (proof.length !== 0 && proof.length !== VRF_PROOF_BYTES) {
    throw new CodecError(`a vote's sortition proof is ${VRF_PROOF_BYTES} bytes or none, not ${proof.length}`);
  }
  return proof.length === 0 ? w.bool(false) : w.bool(true).fixed(proof, VRF_PROOF_BYTES);
}

function readVoteProof(r: Reader): Uint8Array {
  return r.bool() ? r.fixed(VRF_PROOF_BYTES) : new Uint8Array();
}

/** The bytes a proposal's signature covers (the payload by its hash). */
export function proposalSigningBytes(p: Omit<Proposal, 'signature' | 'kind'>): Uint8Array {
  return writeSlot(new Writer().string('arc-proposal-v1'), p)
    .fixed(p.value, 32)
    .fixed(p.proposer, 32)
    .fixed(p.proof, 80)
    .fixed(sha3(p.payload), 32)
    .finish();
}

export function signVote(v: Omit<Vote, 'signature' | 'kind'>, secretKey: Uint8Array): Vote {
  return { ...v, kind: 'vote', signature: signMessage(secretKey, voteSigningBytes(v)) };
}

export function signProposal(p: Omit<Proposal, 'signature' | 'kind'>, secretKey: Uint8Array): Proposal {
  return { ...p, kind: 'proposal', signature: signMessage(secretKey, proposalSigningBytes(p)) };
}

/** The signature check of a vote or proposal (sortition is checked against the committee elsewhere). */
export function signatureValid(m: Vote | Proposal): boolean {
  return m.kind === 'vote'
    ? verifySignature(m.voter, voteSigningBytes(m), m.signature)
    : verifySignature(m.proposer, proposalSigningBytes(m), m.signature);
}

function writeVoteBody(w: Writer, v: Vote): Writer {
  return writeVoteProof(writeSlot(w, v).uint(v.step).fixed(v.value, 32).fixed(v.voter, 32), v.proof).fixed(v.signature, 64);
}

function readVoteBody(r: Reader): Vote {
  const slot = readSlot(r);
  return {
    kind: 'vote',
    ...slot,
    step: r.uint(),
    value: r.fixed(32),
    voter: r.fixed(32),
    proof: readVoteProof(r),
    signature: r.fixed(64),
  };
}

/** The canonical bytes of a message. */
export function encodeMessage(m: ConsensusMessage): Uint8Array {
  const w = new Writer().u8(KIND[m.kind]);
  if (m.kind === 'vote') return writeVoteBody(w, m).finish();
  if (m.kind === 'credential') return writeSlot(w, m).fixed(m.proposer, 32).fixed(m.proof, 80).finish();
  if (m.kind === 'proposal') {
    return writeSlot(w, m).fixed(m.value, 32).fixed(m.proposer, 32).fixed(m.proof, 80).bytes(m.payload).fixed(m.signature, 64).finish();
  }
  writeSlot(w, m).uint(m.step).fixed(m.value, 32).uint(m.votes.length);
  for (const v of m.votes) writeVoteBody(w, v);
  return w.bytes(m.payload).finish();
}

/** Decodes a message; throws CodecError on anything that is not one message's canonical bytes. */
export function decodeMessage(bytes: Uint8Array): ConsensusMessage {
  const r = new Reader(bytes);
  const kind = r.u8();
  let m: ConsensusMessage;
  if (kind === KIND.vote) m = readVoteBody(r);
  else if (kind === KIND.proposal) {
    const slot = readSlot(r);
    m = {
      kind: 'proposal',
      ...slot,
      value: r.fixed(32),
      proposer: r.fixed(32),
      proof: r.fixed(80),
      payload: r.bytes(CONSENSUS_LIMITS.payloadBytesMax),
      signature: r.fixed(64),
    };
  } else if (kind === KIND.credential) {
    m = { kind: 'credential', ...readSlot(r), proposer: r.fixed(32), proof: r.fixed(80) };
  } else if (kind === KIND.certificate) {
    const slot = readSlot(r);
    const step = r.uint();
    const value = r.fixed(32);
    const count = r.count(CONSENSUS_LIMITS.certificateVotesMax);
    const votes: Vote[] = [];
    for (let i = 0; i < count; i += 1) votes.push(readVoteBody(r));
    m = { kind: 'certificate', ...slot, step, value, votes, payload: r.bytes(CONSENSUS_LIMITS.payloadBytesMax) };
  } else throw new CodecError(`unknown consensus message kind ${kind}`);
  r.end();
  return m;
}

/** A message's identity for dedup: SHA3-256 of its bytes. */
export function messageId(bytes: Uint8Array): Uint8Array {
  return sha3(concatBytes(new Uint8Array([0x4d]), bytes));
}
