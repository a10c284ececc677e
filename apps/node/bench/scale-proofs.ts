/**
 * bench:scale's proof client, a process of its own (as a wallet or explorer is): `account.get` for each DID of a file
 * (one per line) against a node, each answer's value and Merkle proof checked against the state root it names after
 * its timing. The first `--warmup N` calls are checked but not timed. Prints one JSON object: the latencies in ms.
 * The bench's own process holds a million DIDs and a stopped node's memory; its collections are not the node's latency.
 *
 *   node --import tsx apps/node/bench/scale-proofs.ts <node url> <file of DIDs> [--warmup N]
 */
import { readFileSync } from 'node:fs';
import { decodeProof, fromHex, sha3, stateKey, stateKeyHash, verifyProof } from '@arc/core';
import { z } from 'zod';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';

const ProvedAccount = z.object({
  result: z.object({
    data: z.object({
      proof: z.object({
        stateRoot: z.string(),
        key: z.string(),
        value: z.string().nullable(),
        siblings: z.array(z.string()),
        leaf: z.object({ key: z.string(), valueHash: z.string() }).nullable(),
      }),
    }),
  }),
});

const Args = z.tuple([z.url(), z.string().min(1)]);

/** One account.get over HTTP: its answer as the client has it, and how long that took. */
async function fetchProof(nodeUrl: string, did: string): Promise<{ body: unknown; ms: number }> {
  const t = performance.now();
  const response = await fetch(`${nodeUrl}/trpc/account.get?input=${encodeURIComponent(JSON.stringify({ did }))}`);
  const body: unknown = await response.json();
  return { body, ms: performance.now() - t };
}

/** The answer's value and proof checked against the root it names. */
function checkProof(did: string, body: unknown): void {
  const { proof } = ProvedAccount.parse(body).result.data;
  if (proof.value === null) throw new Error(`account ${did} is missing`);
  const valueHash = sha3(fromHex(proof.value));
  if (
    proof.key !== stateKey('account', did) ||
    !verifyProof(fromHex(proof.stateRoot), stateKeyHash(proof.key), valueHash, decodeProof(proof))
  ) {
    throw new Error(`the proof of ${did} does not verify`);
  }
}

async function main(): Promise<void> {
  installNodeCrypto();
  const warmupAt = process.argv.indexOf('--warmup');
  const warmup =
    warmupAt > 0
      ? z.coerce
          .number()
          .int()
          .min(0)
          .parse(process.argv[warmupAt + 1])
      : 0;
  const [nodeUrl, file] = Args.parse(process.argv.slice(2, 4));
  const dids = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const ms: number[] = [];
  for (const [i, did] of dids.entries()) {
    const answer = await fetchProof(nodeUrl, did);
    checkProof(did, answer.body);
    if (i >= warmup) ms.push(answer.ms);
  }
  console.log(JSON.stringify({ ms }));
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
