/**
 * Memoized consensus crypto. With the pure-JavaScript ECVRF (a proof ~5 ms, a check ~4 ms) repeated work adds up: a
 * node meets each vote alone and again inside certificates (re-sent every second while a height is undecided), and
 * proves its own sortition for a step more than once; a simulated network of n nodes checks every vote n times. Every
 * answer cached here is a pure function of its key, so a cache hit gives the same answer as the computation would (a
 * simulator seed replays exactly whatever the cache held before it).
 *
 * - `VrfMemo` outlives seeds (the caller passes one to many runs): it maps (public key, alpha) to the node's proof and
 *   output, and (public key, proof, alpha) to what verification returns. A proof this memo made is recorded as
 *   verifying to its output (ECVRF completeness: verify(pk, prove(sk, α), α) = proof_to_hash(proof)).
 * - `MemoVoteChecker`: a vote's check depends on the bytes of the vote and on the height's seed and committee, which
 *   are fixed for one (height, parent) within one network — the seed is part of the key regardless.
 */
import { bytesEqual, toHex } from '../bytes.ts';
import { vrfProofToHash, vrfProve, vrfVerify } from '../crypto/ecvrf.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import type { SortitionFunctions } from './agreement-types.ts';
import { type HeightContext, type VoteChecker, type VoteWeight, weighVote } from './certificate.ts';
import { encodeMessage, type Vote } from './messages.ts';
import { type Committee, type CommitteeMember, type Sortition, selectedSubUsers } from './sortition.ts';

/** Bounds of the memos (the simulator's; a node passes smaller ones). */
export const CRYPTO_MEMO_LIMITS = {
  /** VRF answers kept across seeds; the memo starts over when full (memory stays bounded over a 10,000-seed bench). */
  vrfEntriesMax: 400_000,
  /** Vote checks kept within one seed. */
  voteChecksMax: 200_000,
  /** Signature checks a memoizing provider keeps (`withSignatureMemo`). */
  signatureChecksMax: 100_000,
};

export interface VrfOutput {
  proof: Uint8Array;
  hash: Uint8Array;
}

/** Counters that show how much work the memo saved. */
export interface MemoStats {
  proofsMade: number;
  proofHits: number;
  verifies: number;
  verifyHits: number;
}

/** VRF proofs and checks remembered across seeds (pure answers: sharing a memo never changes a run). */
export class VrfMemo {
  private readonly proofs = new Map<string, VrfOutput>();
  private readonly verified = new Map<string, Uint8Array | null>();
  readonly stats: MemoStats = { proofsMade: 0, proofHits: 0, verifies: 0, verifyHits: 0 };

  constructor(private readonly entriesMax: number = CRYPTO_MEMO_LIMITS.vrfEntriesMax) {}

  private room(): void {
    if (this.proofs.size + this.verified.size < this.entriesMax) return;
    this.proofs.clear();
    this.verified.clear();
  }

  /** The VRF proof and output of `secretKey` (whose public key is `publicKey`) over `alpha`. */
  prove(secretKey: Uint8Array, publicKey: Uint8Array, alpha: Uint8Array): VrfOutput {
    const pk = toHex(publicKey);
    const key = pk + toHex(alpha);
    const known = this.proofs.get(key);
    if (known) {
      this.stats.proofHits += 1;
      return known;
    }
    this.room();
    this.stats.proofsMade += 1;
    const proof = vrfProve(secretKey, alpha);
    const output = { proof, hash: vrfProofToHash(proof) };
    this.proofs.set(key, output);
    this.verified.set(pk + toHex(proof) + toHex(alpha), output.hash);
    return output;
  }

  /** What `vrfVerify(publicKey, proof, alpha)` returns. */
  verify(publicKey: Uint8Array, proof: Uint8Array, alpha: Uint8Array): Uint8Array | null {
    const key = toHex(publicKey) + toHex(proof) + toHex(alpha);
    const known = this.verified.get(key);
    if (known !== undefined) {
      this.stats.verifyHits += 1;
      return known;
    }
    this.room();
    this.stats.verifies += 1;
    const hash = vrfVerify(publicKey, proof, alpha);
    this.verified.set(key, hash);
    return hash;
  }

  /** Sortition for an `Agreement` (its fourth constructor argument) through this memo. */
  sortitionFunctions(): SortitionFunctions {
    return {
      run: (secretKey: Uint8Array, member: CommitteeMember, committee: Committee, tau: number | null, alpha: Uint8Array): Sortition => {
        const { proof, hash } = this.prove(secretKey, member.publicKey, alpha);
        return { proof, hash, subUsers: selectedSubUsers(hash, member.weight, committee.totalWeight, tau) };
      },
      verify: (publicKey: Uint8Array, proof: Uint8Array, committee: Committee, tau: number | null, alpha: Uint8Array) => {
        const member = committee.members.get(toHex(publicKey));
        if (!member) return null;
        const hash = this.verify(publicKey, proof, alpha);
        return hash ? { subUsers: selectedSubUsers(hash, member.weight, committee.totalWeight, tau), hash } : null;
      },
    };
  }
}

type CheckResult = VoteWeight;

/** A `VoteChecker` that checks signature and sortition once per distinct vote (the simulator shares one by all nodes). */
export class MemoVoteChecker implements VoteChecker {
  private readonly answers = new Map<string, CheckResult>();
  /** The same decoded vote reaches every peer of a send: its answer by identity first, without encoding it again. */
  private readonly byObject = new WeakMap<Vote, { context: string; answer: CheckResult }>();
  checks = 0;
  hits = 0;

  constructor(
    private readonly vrf: VrfMemo,
    private readonly entriesMax: number = CRYPTO_MEMO_LIMITS.voteChecksMax,
  ) {}

  check(vote: Vote, ctx: HeightContext, tau: number | null): CheckResult {
    const context = `${ctx.height}:${toHex(ctx.seed)}:${tau ?? 'all'}`;
    const seen = this.byObject.get(vote);
    if (seen !== undefined && seen.context === context) {
      this.hits += 1;
      return seen.answer;
    }
    const key = `${toHex(encodeMessage(vote))}:${context}`;
    let answer = this.answers.get(key);
    if (answer !== undefined) this.hits += 1;
    else {
      if (this.answers.size >= this.entriesMax) this.answers.clear();
      this.checks += 1;
      answer = this.compute(vote, ctx, tau);
      this.answers.set(key, answer);
    }
    this.byObject.set(vote, { context, answer });
    return answer;
  }

  private compute(vote: Vote, ctx: HeightContext, tau: number | null): CheckResult {
    return weighVote(vote, ctx, tau, (publicKey, proof, alpha) => this.vrf.verify(publicKey, proof, alpha));
  }
}

/**
 * A crypto provider that remembers its ed25519 verifications (same answers as `base`, so a host may install it): every
 * simulated node checks every proposal's signature, and the n − 1 checks of one proposal are then one.
 */
export function withSignatureMemo(base: CryptoProvider): CryptoProvider {
  // Keyed by the signature alone (short to hash); a hit counts only when the key and message are the same bytes too.
  const answers = new Map<string, { publicKey: Uint8Array; message: Uint8Array; valid: boolean }>();
  return {
    ...base,
    verifyEd25519(publicKey, message, signature) {
      const key = toHex(signature);
      const known = answers.get(key);
      if (known && bytesEqual(known.publicKey, publicKey) && bytesEqual(known.message, message)) return known.valid;
      if (answers.size >= CRYPTO_MEMO_LIMITS.signatureChecksMax) answers.clear();
      const valid = base.verifyEd25519(publicKey, message, signature);
      answers.set(key, { publicKey, message, valid });
      return valid;
    },
  };
}
