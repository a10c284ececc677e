import { type ArcClient, buildTx, createClient, publishComponent, stake, textHash, Wallet } from '@arc/client';
import { adminMessage, fromHex, toHex, uploadParams } from '@arc/core';

/**
 * What market.spec.ts needs on the market whatever the demo seed publishes: a few components published through the
 * node's API by signed transactions, as a publisher would (upload the bundle, store the README, publishComponent).
 */
export interface SeededComponent {
  name: string;
  kind: 'adapter' | 'blocklet' | 'component' | 'application';
  description: string;
  categories: string[];
  chains?: string[];
  readme: string;
  /** A blocklet to upload (installable); none for an adapter. */
  code?: string;
}

const code = (answer: string) => `import type { BlockletHandlers } from './types';

export default {
  async fetch(request) {
    return { body: { ok: true, answer: ${JSON.stringify(answer)}, path: request.path } };
  },
} satisfies BlockletHandlers;
`;

const manifest = (name: string, author: string, description: string) => `name: ${name}
version: 1.0.0
title: ${name}
description: ${JSON.stringify(description)}
author: ${author}
entry: index.ts
interfaces:
  http:
    - path: /
      methods: [GET]
`;

export const seededComponents = (suffix: string): SeededComponent[] => [
  {
    name: `oracle-feed-${suffix}`,
    kind: 'blocklet',
    description: 'A price oracle feed: answers the latest ABT-USD quote over HTTP.',
    categories: ['oracles', 'finance'],
    chains: ['arc'],
    readme: `# Oracle feed\n\nAnswers the latest **price** quote.\n\n<script>alert("xss")</script>\n\n[docs](https://example.com/docs) and [bad](javascript:alert(1))\n\n![chart](http://evil.example/pixel.png)\n\n| field | meaning |\n|---|---|\n| price | USD |\n`,
    code: code('price'),
  },
  {
    name: `ledger-notify-${suffix}`,
    kind: 'blocklet',
    description: 'Sends a notification when an account receives ABT.',
    categories: ['notifications'],
    chains: ['arc'],
    readme: '# Ledger notify\n\nWatches accounts and notifies.',
    code: code('notify'),
  },
  {
    name: `eth-bridge-adapter-${suffix}`,
    kind: 'adapter',
    description: 'An Ethereum adapter configuration for OCAP level 1 and 2.',
    categories: ['adapters'],
    chains: ['ethereum'],
    readme: '# Ethereum adapter\n\nConnects the node to an Ethereum JSON-RPC endpoint.',
  },
];

/** A new account with faucet ABT (enough for the publish stakes it bonds and fees). */
export async function fundedWallet(nodeUrl: string): Promise<{ wallet: Wallet; client: ArcClient }> {
  const client = createClient({ url: nodeUrl });
  const wallet = Wallet.generate();
  await client.claimFaucet(wallet.did);
  return { wallet, client };
}

type Trpc = {
  blocklet: { upload: { mutate(input: unknown): Promise<{ name: string; version: string; manifestHash: string; bundleHash: string }> } };
  market: { putText: { mutate(input: { text: string; purpose: string }): Promise<{ hash: string }> } };
};

/** Publishes one component from `wallet`, waiting for the commit. */
export async function publish(client: ArcClient, wallet: Wallet, c: SeededComponent): Promise<void> {
  const trpc = client.trpc as unknown as Trpc;
  let manifestHash: Uint8Array = new Uint8Array(32);
  let bundleHash: Uint8Array | undefined;
  if (c.code) {
    const upload = {
      manifest: { file: 'blocklet.yml' as const, text: manifest(c.name, wallet.did, c.description) },
      files: { 'index.ts': c.code },
    };
    const timeMs = Date.now();
    const auth = {
      publicKey: toHex(wallet.publicKey),
      timeMs,
      signature: toHex(wallet.sign(adminMessage('upload', c.name, uploadParams(upload), timeMs))),
    };
    const uploaded = await trpc.blocklet.upload.mutate({ ...upload, auth });
    manifestHash = fromHex(uploaded.manifestHash);
    bundleHash = fromHex(uploaded.bundleHash);
  } else {
    manifestHash = textHash(`adapter:${c.name}`);
  }
  await trpc.market.putText.mutate({ text: c.readme, purpose: 'readme' });
  const [info, nonce] = await Promise.all([client.chainInfo(), client.nextNonce(wallet.did)]);
  // A new name is backed by bonded stake: the publisher bonds the chain's publish stake for it first.
  const bond = stake({ amount: info.params.economy.publishStake });
  await client.send(wallet.signTx(buildTx({ chainId: info.chainId, wallet, nonce, fee: info.params.minFee, itx: bond })));
  const itx = publishComponent({
    kind: c.kind,
    name: c.name,
    version: '1.0.0',
    description: c.description,
    manifestHash,
    ...(bundleHash ? { bundleHash } : {}),
    readmeHash: textHash(c.readme),
    releaseNotes: 'First release.',
    categories: c.categories,
    chains: c.chains ?? [],
    beneficiaries: [{ did: wallet.did, shareBps: 10_000 }],
  });
  await client.send(wallet.signTx(buildTx({ chainId: info.chainId, wallet, nonce: nonce + 1, fee: info.params.minFee, itx })));
}

/** Publishes the seeded components from one new funded publisher; answers the publisher. */
export async function seedMarket(nodeUrl: string, suffix: string): Promise<Wallet> {
  const { wallet, client } = await fundedWallet(nodeUrl);
  for (const c of seededComponents(suffix)) await publish(client, wallet, c);
  return wallet;
}
