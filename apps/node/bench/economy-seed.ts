/**
 * bench:economy's chain and seed: the genesis (with the bench's settler), the keys, the 50 components (10 with
 * --quick) with 1–4 beneficiaries each, and the 10,000 applications (300 with --quick) with billing open, all signed
 * and committed through admission in windows. Also the settle transactions of one period and the transfers the
 * throughput phases send, signed ahead so that no timed phase signs.
 */
import {
  type Bill,
  didFromPublicKey,
  type EconomyParams,
  encodeTx,
  type GenesisConfig,
  type Itx,
  type KeyPair,
  keyPairFromSeed,
  openApplicationDigest,
  sha3,
  signMessage,
  signTx,
  sponsorBatch,
  type Tx,
  toHex,
  txHash,
  utf8,
} from '@arc/core';
import { round } from '../../../scripts/bench-goals.ts';
import { ECONOMY_PARAMS_DEFAULT } from '../src/config/genesis.ts';
import type { BlockCommitted } from '../src/ledger/ledger.ts';
import type { TestNode } from '../src/testing.ts';

export const quick = process.argv.includes('--quick');
export const APPLICATIONS = quick ? 300 : 10_000;
export const COMPONENTS = quick ? 10 : 50;
/** Accounts that open the applications' billing (each opens APPLICATIONS / OWNERS). */
const OWNERS = quick ? 30 : 500;
const PUBLISHERS = quick ? 5 : 10;
/** Accounts the components' revenue is shared between (besides the publishers). */
const BENEFICIARIES = quick ? 20 : 120;
/** Accounts of the throughput phases: funded in the genesis, each sends TRANSFERS / SENDERS transfers per phase. */
export const SENDERS = quick ? 100 : 500;
/**
 * Transfers of each kind over all rounds. A phase of one round (a quarter of them: economy.ts runs 4) fills 4 blocks
 * of 5,000: with 2 the figure moved by a third with where the last block happened to close.
 */
export const TRANSFERS = quick ? 4_000 : 80_000;
/** Applications that pay the fees of the fee-payer phase (sender i's fees are paid by payer i % FEE_PAYERS). */
export const FEE_PAYERS = quick ? 20 : 100;
/**
 * Transactions handed to admission at once (as a client with many sends them; see market-catalogue.ts), and windows
 * being admitted at once (commitAll): 10,000 in flight, in windows of 1,000 so that the producer starts on the first
 * thousand checked rather than waiting for five thousand signatures. With windows of 5,000 (two in flight) each phase
 * began with the ledger's thread idle while the first window's signatures were checked and ended with the signature
 * threads idle under the last block: a fixed cost per phase, larger for the kind with more signatures to check (the
 * fee-payer ratio moved from 0.77 to 0.84 with this alone, plain transfers ~5 % faster too).
 */
export const ADMIT_WINDOW = 1_000;
const WINDOWS_IN_FLIGHT = 10;
export const ABT = 10n ** 18n;
export const FEE = 10n ** 14n;
const DEPOSIT = ABT;
const SHARE_BPS_TOTAL = 10_000;

export interface Signer extends KeyPair {
  did: string;
}

/** A key derived from a label (the same every run), with its DID. */
export const signer = (label: string): Signer => {
  const pair = keyPairFromSeed(sha3(utf8(`bench-economy ${label}`)));
  return { ...pair, did: didFromPublicKey(pair.publicKey) };
};

/** Every key of the bench; made once, after the node's crypto is installed (keys are derived with noble). */
export class Keys {
  readonly settler = signer('settler');
  readonly owners = Array.from({ length: OWNERS }, (_, i) => signer(`owner ${i}`));
  readonly publishers = Array.from({ length: PUBLISHERS }, (_, i) => signer(`publisher ${i}`));
  readonly beneficiaries = Array.from({ length: BENEFICIARIES }, (_, i) => signer(`beneficiary ${i}`).did);
  readonly senders = Array.from({ length: SENDERS }, (_, i) => signer(`sender ${i}`));
  readonly applications = Array.from({ length: APPLICATIONS }, (_, i) => signer(`application ${i}`));
}

export function genesis(keys: Keys): GenesisConfig {
  const funded = [keys.settler, ...keys.owners, ...keys.publishers, ...keys.senders];
  const economy = { ...ECONOMY_PARAMS_DEFAULT, settlers: [keys.settler.did], publishStake: ABT };
  return benchGenesis('arc-bench-economy', funded, 1_000_000n * ABT, economy);
}

/**
 * A bench chain: the dev chain's bounds (genesis/dev.json: a transaction carries what fits in 16 KiB, 5,000 a block),
 * no market roles, `economy`, and each funded account given `amount`.
 */
export function benchGenesis(
  chainId: string,
  funded: { did: string }[],
  amount: bigint,
  economy: EconomyParams = ECONOMY_PARAMS_DEFAULT,
): GenesisConfig {
  return {
    chainId,
    timeMs: Date.UTC(2026, 0, 1),
    nativeToken: { symbol: 'ABT', name: 'ArcBlock Token', decimals: 18 },
    params: {
      minFee: FEE,
      maxTxBytes: 16384,
      maxTxsPerBlock: 5000,
      maxBlockBytes: 4 * 1024 * 1024,
      market: { moderators: [], usageReporters: [] },
      economy,
    },
    allocations: funded.map((a) => ({ did: a.did, amount })),
  };
}

export function sign(chainId: string, signer: Signer, nonce: number, itx: Itx, payer?: Signer): Uint8Array {
  const feePayer = payer ? { did: payer.did, publicKey: payer.publicKey } : null;
  return encodeTx(
    signTx({ chainId, from: signer.did, publicKey: signer.publicKey, nonce, fee: FEE, feePayer, itx }, signer.secretKey, payer?.secretKey),
  );
}

export const componentName = (i: number) => `econ-component-${i}`;

/** Component i's revenue: 1 to 4 beneficiaries (its publisher first), shares in basis points adding up to the whole. */
function beneficiariesOf(keys: Keys, i: number): { did: string; shareBps: number }[] {
  const count = 1 + (i % 4);
  const dids = [(keys.publishers[i % PUBLISHERS] as Signer).did];
  for (let k = 1; k < count; k += 1) dids.push(keys.beneficiaries[(i * 7 + k * 13) % BENEFICIARIES] as string);
  const share = Math.floor(SHARE_BPS_TOTAL / count);
  return dids.map((did, k) => ({ did, shareBps: k === 0 ? SHARE_BPS_TOTAL - share * (count - 1) : share }));
}

export interface Committed {
  committed: number;
  refused: number;
  /** From the first submission to the last commit. */
  ms: number;
  /** Blocks that held at least one of the transactions. */
  blocks: number;
}

/**
 * Submits the transactions in windows of ADMIT_WINDOW and resolves when every one committed or was refused or
 * rejected (counted, the first few printed). `onBlock` hears every block meanwhile (the bench's per-block lines).
 */
export async function commitAll(
  node: TestNode,
  txs: Uint8Array[],
  onBlock?: (block: BlockCommitted, atMs: number) => void,
): Promise<Committed> {
  const ledger = node.services.ledger;
  const wanted = new Set(txs.map((bytes) => toHex(txHash(bytes))));
  const heights = new Set<number>();
  let committed = 0;
  let refused = 0;
  let lastCommitMs = 0;
  const report = (what: string) => {
    if (refused <= 3) console.log(`    ${what}`);
  };
  let listener: ((block: BlockCommitted) => void) | null = null;
  const done = new Promise<void>((resolve) => {
    listener = (block) => {
      const at = performance.now();
      onBlock?.(block, at);
      // A failed one is in the block but did nothing (its fee charged): refused, not committed.
      for (const f of block.failed) {
        if (!wanted.delete(f.hashHex)) continue;
        refused += 1;
        report(`failed in block ${block.header.height}: ${f.code} ${f.message}`);
      }
      for (const hash of block.txHashes) {
        if (!wanted.delete(hash)) continue;
        committed += 1;
        lastCommitMs = at;
        heights.add(block.header.height);
      }
      for (const r of block.rejected) {
        if (!wanted.delete(r.hashHex)) continue;
        refused += 1;
        report(`rejected in block ${block.header.height}: ${r.code} ${r.message}`);
      }
      if (wanted.size === 0) resolve();
    };
    ledger.events.on('block', listener);
  });
  const start = performance.now();
  try {
    const admit = async (window: Uint8Array[]) => {
      const results = await Promise.allSettled(window.map((bytes) => node.services.admission.submit(bytes)));
      for (const [i, r] of results.entries()) {
        if (r.status === 'fulfilled') continue;
        refused += 1;
        wanted.delete(toHex(txHash(window[i] as Uint8Array)));
        report(`refused at admission: ${(r.reason as Error).message}`);
      }
    };
    // WINDOWS_IN_FLIGHT windows at once: the next one is being admitted (its signatures checked) while the producer
    // works through the one before, so the producer never waits on the client between windows.
    const inFlight: Promise<void>[] = [];
    for (let from = 0; from < txs.length; from += ADMIT_WINDOW) {
      inFlight.push(admit(txs.slice(from, from + ADMIT_WINDOW)));
      if (inFlight.length >= WINDOWS_IN_FLIGHT) await inFlight.shift();
    }
    await Promise.all(inFlight);
    if (wanted.size > 0) await done;
  } finally {
    if (listener) ledger.events.off('block', listener);
  }
  return { committed, refused, ms: (committed > 0 ? lastCommitMs : performance.now()) - start, blocks: heights.size };
}

/** Each publisher bonds the stake its names need, publishes the components, then opens billing for every application. Not timed. */
export async function seed(node: TestNode, keys: Keys): Promise<void> {
  const chainId = node.chainId;
  const nonces = new Map<string, number>();
  const next = (signer: Signer) => {
    const nonce = (nonces.get(signer.did) ?? 0) + 1;
    nonces.set(signer.did, nonce);
    return nonce;
  };
  // Publisher k publishes components k, k + PUBLISHERS, …: its bond covers that many names.
  const stakes = keys.publishers.map((publisher, k) => {
    const names = Math.ceil((COMPONENTS - k) / PUBLISHERS);
    return sign(chainId, publisher, next(publisher), { type: 'stake', amount: BigInt(names) * ABT });
  });
  const staked = await commitAll(node, stakes);
  const publishes = Array.from({ length: COMPONENTS }, (_, i) => {
    const publisher = keys.publishers[i % PUBLISHERS] as Signer;
    return sign(chainId, publisher, next(publisher), {
      type: 'publishComponent',
      kind: 'component',
      name: componentName(i),
      version: '1.0.0',
      description: `metered component ${i}`,
      manifestHash: sha3(utf8(`manifest ${i}`)),
      bundleHash: new Uint8Array(32),
      readmeHash: sha3(utf8(`readme ${i}`)),
      releaseNotes: '',
      categories: ['tools'],
      chains: [],
      price: { model: 'perCall', amount: 10n ** 12n },
      beneficiaries: beneficiariesOf(keys, i),
    } as Itx);
  });
  const published = await commitAll(node, publishes);
  console.log(`  published ${published.committed} components in ${round(published.ms / 1000)} s (${published.refused} refused)`);

  // Owner k opens applications k, k + OWNERS, …: each window holds every owner's next few, in nonce order.
  const opens = keys.applications.map((app, i) => {
    const owner = keys.owners[i % OWNERS] as Signer;
    const applicationSignature = signMessage(app.secretKey, openApplicationDigest(chainId, app.did, owner.did));
    return sign(chainId, owner, next(owner), {
      type: 'openApplication',
      application: app.did,
      applicationKey: app.publicKey,
      applicationSignature,
      deposit: DEPOSIT,
    });
  });
  const opened = await commitAll(node, opens);
  console.log(
    `  opened billing for ${opened.committed} applications in ${round(opened.ms / 1000)} s, ${opened.blocks} blocks (${opened.refused} refused)`,
  );
  if (staked.refused + published.refused + opened.refused > 0)
    throw new Error('the seed was refused in part; the figures would not mean anything');
}

/**
 * One period's bills: every application × one line per component (amounts that differ by application and component)
 * and one line for the node's work.
 */
export function bills(keys: Keys, nodeDid: string): Bill[] {
  return keys.applications.map((app, a) => ({
    application: app.did,
    lines: [
      ...Array.from({ length: COMPONENTS }, (_, c) => ({
        kind: 'component' as const,
        payee: componentName(c),
        amount: 10n ** 12n + BigInt((a * 31 + c * 17) % 1000) * 10n ** 9n,
      })),
      { kind: 'node' as const, payee: nodeDid, amount: 5n * 10n ** 12n + BigInt(a % 100) * 10n ** 9n },
    ],
  }));
}

/**
 * The settler's transactions for `period`: bills packed in order, each transaction holding as many as fit in the
 * chain's maxTxBytes (and at most ECONOMY_LIMITS.billsMax), signed with nonces from `firstNonce`.
 */
export function settleTxs(
  chainId: string,
  settler: Signer,
  firstNonce: number,
  period: number,
  all: Bill[],
  maxTxBytes: number,
  billsMax: number,
): Uint8Array[] {
  const sizeOf = (bills: Bill[]) =>
    encodeTx({
      chainId,
      from: settler.did,
      publicKey: settler.publicKey,
      nonce: firstNonce + all.length,
      fee: FEE,
      feePayer: null,
      itx: { type: 'settle', period, bills },
      signature: new Uint8Array(64),
    }).length;
  const base = sizeOf([]);
  const chunks: Bill[][] = [];
  let current: Bill[] = [];
  let bytes = base;
  for (const bill of all) {
    const size = sizeOf([bill]) - base;
    if (current.length > 0 && (current.length >= billsMax || bytes + size > maxTxBytes)) {
      chunks.push(current);
      current = [];
      bytes = base;
    }
    current.push(bill);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map((chunk, i) => {
    const bytes = sign(chainId, settler, firstNonce + i, { type: 'settle', period, bills: chunk });
    if (bytes.length > maxTxBytes) throw new Error(`a settle transaction of ${bytes.length} bytes is past maxTxBytes ${maxTxBytes}`);
    return bytes;
  });
}

/**
 * `perSender` transfers for every sender, interleaved across senders (each sender's in nonce order from
 * `firstNonce`), to another sender; with `payers`, sender i's fee is paid by application i % payers.length.
 */
/**
 * How an application co-signs the transfers it pays for: each on its own (a second ed25519 signature per
 * transaction), or in batches, one signature over the root of all it pays for in a phase (core's sponsor.ts).
 */
export type Sponsorship = 'single' | 'batch';

/**
 * Transactions per batch sponsorship: what the relayer of an application whose users send 160 transactions a second
 * collects in 100 ms before it co-signs them.
 */
export const SPONSOR_BATCH = 16;

export function transfers(
  chainId: string,
  keys: Keys,
  firstNonce: number,
  perSender: number,
  payers?: Signer[],
  sponsorship: Sponsorship = 'single',
): Uint8Array[] {
  const out: Tx[] = [];
  const { senders } = keys;
  for (let n = 0; n < perSender; n += 1) {
    for (let i = 0; i < senders.length; i += 1) {
      const to = (senders[(i + 1 + n) % senders.length] as Signer).did;
      const payer = payers ? (payers[i % payers.length] as Signer) : undefined;
      const sender = senders[i] as Signer;
      const feePayer = payer ? { did: payer.did, publicKey: payer.publicKey } : null;
      const itx: Itx = { type: 'transfer', to, amount: 1n + BigInt(n), tokens: [], assets: [], memo: '' };
      const unsigned = { chainId, from: sender.did, publicKey: sender.publicKey, nonce: firstNonce + n, fee: FEE, feePayer, itx };
      out.push(signTx(unsigned, sender.secretKey, payer?.secretKey));
    }
  }
  if (!payers || sponsorship === 'single') return out.map(encodeTx);
  // Each application co-signs what it pays for SPONSOR_BATCH transactions at a time, in the order of submission.
  const sponsored = new Map<Tx, Tx>();
  for (const payer of payers) {
    const mine = out.filter((tx) => tx.feePayer?.did === payer.did);
    for (let at = 0; at < mine.length; at += SPONSOR_BATCH) {
      const batch = mine.slice(at, at + SPONSOR_BATCH);
      for (const [i, tx] of sponsorBatch(batch, payer.secretKey, payer.publicKey).entries()) sponsored.set(batch[i] as Tx, tx);
    }
  }
  return out.map((tx) => encodeTx(sponsored.get(tx) ?? tx));
}
