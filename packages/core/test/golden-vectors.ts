/**
 * The transactions and block header behind test/fixtures/tx-vectors.json: one transaction of every
 * inner type (plus one with a fee payer), from fixed seeds and fixed fields. The fixture is a
 * literal file that guards the wire format; regenerate it only for a deliberate format change:
 *   npx tsx -e "import('./packages/core/test/golden-vectors.ts').then((m) => console.log(JSON.stringify(m.goldenFixture(), null, 2)))" \
 *     > packages/core/test/fixtures/tx-vectors.json
 */
import {
  assetAddress,
  type BlockHeader,
  type BridgeReleaseTx,
  blockHash,
  encodeHeader,
  encodeTx,
  type SettleTx,
  type SlashTx,
  sha3,
  sponsorBatch,
  type Tx,
  toHex,
  tokenAddress,
  txHash,
  txMerkleRoot,
  txSigningBytes,
  utf8,
} from '../src/index.ts';
import {
  type Actor,
  alice,
  approved,
  BRIDGE_SIGNERS,
  bob,
  CHAIN_ID,
  carol,
  dave,
  erin,
  frank,
  GENESIS_TIME_MS,
  meter,
  openApplicationItx,
  shop,
  signedTx,
  transferItx,
  VALIDATORS,
  validator,
} from './ledger-kit.ts';

const GOLD = tokenAddress('GOLD');
const SILVER = tokenAddress('SILVER');
const TICKET = assetAddress(sha3(utf8('golden asset 1')));
const BADGE = assetAddress(sha3(utf8('golden asset 2')));
const SHOP = tokenAddress('SHOP');

/** The golden transactions by name; every inner type appears at least once. */
export function goldenTxs(): { name: string; tx: Tx }[] {
  return [
    { name: 'declareAccount', tx: signedTx(alice, { type: 'declareAccount', moniker: 'alice' }, { nonce: 1 }) },
    {
      name: 'transfer',
      tx: signedTx(
        alice,
        transferItx(bob, {
          amount: 1_000_000n,
          tokens: [
            { token: GOLD, amount: 250n },
            { token: SILVER, amount: 1n << 70n },
          ],
          assets: [TICKET, BADGE],
          memo: 'rent for März ☕',
        }),
        { nonce: 300, fee: 12_345n },
      ),
    },
    {
      name: 'createToken',
      tx: signedTx(
        alice,
        { type: 'createToken', symbol: 'GOLD', name: 'Gold Coin', decimals: 6, totalSupply: 21_000_000_000_000n },
        { nonce: 2 },
      ),
    },
    {
      name: 'createAsset',
      tx: signedTx(
        bob,
        {
          type: 'createAsset',
          moniker: 'ticket #1',
          data: Uint8Array.from({ length: 32 }, (_, i) => i),
          transferable: true,
          readonly: false,
        },
        { nonce: 1 },
      ),
    },
    {
      name: 'updateAsset',
      tx: signedTx(
        bob,
        { type: 'updateAsset', address: TICKET, moniker: 'ticket #1 (row 7)', data: new Uint8Array([0xde, 0xad]) },
        { nonce: 2 },
      ),
    },
    { name: 'consumeAsset', tx: signedTx(bob, { type: 'consumeAsset', address: TICKET }, { nonce: 3 }) },
    {
      name: 'delegate',
      tx: signedTx(
        alice,
        { type: 'delegate', grantee: bob.did, allowance: 5_000n, expiresAtMs: GENESIS_TIME_MS + 86_400_000 },
        { nonce: 3 },
      ),
    },
    { name: 'revokeDelegation', tx: signedTx(alice, { type: 'revokeDelegation', grantee: bob.did }, { nonce: 4 }) },
    {
      name: 'deployBlocklet',
      tx: signedTx(
        carol,
        {
          type: 'deployBlocklet',
          name: 'price-oracle',
          version: '1.0.0',
          manifestHash: new Uint8Array(32).fill(7),
          bundleHash: new Uint8Array(32).fill(9),
        },
        { nonce: 1 },
      ),
    },
    {
      name: 'transferWithFeePayer',
      tx: signedTx(bob, transferItx(carol, { amount: 1n, memo: 'paid by alice' }), { nonce: 4, fee: 20n, feePayer: alice }),
    },
    // The marketplace's types (issue 19), appended so the earlier vectors and Merkle roots stay as they were.
    {
      name: 'publishComponent',
      tx: signedTx(
        carol,
        {
          type: 'publishComponent',
          kind: 'adapter',
          name: 'bitcoin-adapter',
          version: '1.2.0-rc.1',
          description: 'Reads blocks and balances from Bitcoin Core — über RPC',
          manifestHash: new Uint8Array(32).fill(1),
          bundleHash: new Uint8Array(32),
          readmeHash: new Uint8Array(32).fill(3),
          releaseNotes: 'first release candidate',
          categories: ['chain-adapter', 'bitcoin'],
          chains: ['bitcoin', 'arc'],
          price: { model: 'perCall', amount: 1_000_000_000_000n },
          beneficiaries: [
            { did: carol.did, shareBps: 7_000 },
            { did: dave.did, shareBps: 3_000 },
          ],
        },
        { nonce: 2 },
      ),
    },
    { name: 'transferComponent', tx: signedTx(carol, { type: 'transferComponent', name: 'bitcoin-adapter', to: dave.did }, { nonce: 3 }) },
    {
      name: 'deprecateVersion',
      tx: signedTx(
        dave,
        { type: 'deprecateVersion', name: 'bitcoin-adapter', version: '1.2.0-rc.1', yank: true, reason: 'leaks the RPC password' },
        { nonce: 1 },
      ),
    },
    {
      name: 'reviewComponent',
      tx: signedTx(
        alice,
        { type: 'reviewComponent', name: 'bitcoin-adapter', stars: 4, textHash: new Uint8Array(32).fill(4), edit: false },
        { nonce: 5 },
      ),
    },
    {
      name: 'replyReview',
      tx: signedTx(
        dave,
        { type: 'replyReview', name: 'bitcoin-adapter', reviewer: alice.did, textHash: new Uint8Array(32).fill(5) },
        { nonce: 2 },
      ),
    },
    {
      name: 'reportAbuse',
      tx: signedTx(bob, { type: 'reportAbuse', name: 'bitcoin-adapter', reviewer: alice.did, reason: 'spam' }, { nonce: 5 }),
    },
    {
      name: 'resolveReport',
      tx: signedTx(erin, { type: 'resolveReport', report: toHex(sha3(utf8('golden report'))), upheld: false, note: '' }, { nonce: 1 }),
    },
    {
      name: 'recordUsage',
      tx: signedTx(
        frank,
        {
          type: 'recordUsage',
          period: 20_000,
          records: [
            { component: 'bitcoin-adapter', application: bob.did, account: alice.did, installs: 1, calls: 1_234, paid: 0n },
            { component: 'bitcoin-adapter', application: carol.did, account: carol.did, installs: 0, calls: 7, paid: 7n << 64n },
          ],
        },
        { nonce: 1 },
      ),
    },
    // The token economy's types, appended likewise.
    ...economyGoldenTxs(),
  ];
}

/** One golden transaction of each economy type; approvals and the application's consent are real signatures. */
function economyGoldenTxs(): { name: string; tx: Tx }[] {
  const [v1, v2] = VALIDATORS as [Actor, Actor];
  const [b1, , b3] = BRIDGE_SIGNERS as [Actor, Actor, Actor];
  const slash = approved<SlashTx>(
    { type: 'slash', offender: carol.did, amount: 400n, evidenceHash: sha3(utf8('golden evidence')), reason: 'double-signed height 41' },
    [v1, v2],
  );
  const release = approved<BridgeReleaseTx>(
    { type: 'bridgeRelease', ethTxHash: sha3(utf8('golden burn')), logIndex: 3, to: dave.did, amount: 1n << 64n },
    [b1, b3],
  );
  const settle: SettleTx = {
    type: 'settle',
    period: 170_000_004,
    bills: [
      {
        application: shop.did,
        lines: [
          { kind: 'component', payee: 'bitcoin-adapter', amount: 12_345n },
          { kind: 'node', payee: validator.did, amount: 678n },
        ],
      },
      { application: erin.did, lines: [] },
    ],
  };
  return [
    { name: 'stake', tx: signedTx(carol, { type: 'stake', amount: 5_000n }, { nonce: 4 }) },
    { name: 'unstake', tx: signedTx(carol, { type: 'unstake', amount: 1_500n }, { nonce: 5 }) },
    { name: 'withdrawStake', tx: signedTx(carol, { type: 'withdrawStake' }, { nonce: 6 }) },
    { name: 'slash', tx: signedTx(erin, slash, { nonce: 2 }) },
    { name: 'openApplication', tx: signedTx(bob, openApplicationItx(bob, shop, 10n ** 18n), { nonce: 6 }) },
    { name: 'fundApplication', tx: signedTx(alice, { type: 'fundApplication', application: shop.did, amount: 250_000n }, { nonce: 6 }) },
    { name: 'withdrawDeposit', tx: signedTx(bob, { type: 'withdrawDeposit', application: shop.did, amount: 1_000n }, { nonce: 7 }) },
    { name: 'settle', tx: signedTx(meter, settle, { nonce: 1 }) },
    {
      name: 'issueToken',
      tx: signedTx(
        alice,
        { type: 'issueToken', symbol: 'SHOP', name: 'Shop points', decimals: 2, initialSupply: 1_000n, policy: 'capped', cap: 1_000_000n },
        { nonce: 7 },
      ),
    },
    { name: 'mintToken', tx: signedTx(alice, { type: 'mintToken', token: SHOP, to: bob.did, amount: 500n }, { nonce: 8 }) },
    { name: 'burnToken', tx: signedTx(bob, { type: 'burnToken', token: SHOP, amount: 200n }, { nonce: 8 }) },
    {
      name: 'bridgeLock',
      tx: signedTx(
        dave,
        { type: 'bridgeLock', amount: 7n * 10n ** 17n, ethAddress: '0x00000000000000000000000000000000deadbeef' },
        { nonce: 3 },
      ),
    },
    { name: 'bridgeRelease', tx: signedTx(frank, release, { nonce: 2 }) },
    // Batch sponsorship: alice co-signs two users' transfers with one signature (the first of them is the vector).
    {
      name: 'transferSponsoredInBatch',
      tx: sponsorBatch(
        [
          signedTx(bob, transferItx(carol, { amount: 2n, memo: 'sponsored' }), { nonce: 9, fee: 20n, feePayer: alice }),
          signedTx(dave, transferItx(carol, { amount: 3n }), { nonce: 4, fee: 20n, feePayer: alice }),
        ],
        alice.seed,
        alice.keys.publicKey,
      )[0] as Tx,
    },
  ];
}

export function goldenHeader(txHashes: Uint8Array[]): BlockHeader {
  return {
    version: 1,
    chainId: CHAIN_ID,
    height: 42,
    prevHash: sha3(utf8('golden previous block')),
    timeMs: GENESIS_TIME_MS + 42_000,
    proposer: validator.did,
    txRoot: txMerkleRoot(txHashes),
    stateRoot: sha3(utf8('golden state')),
    txCount: txHashes.length,
  };
}

/** How many leading golden transactions each golden Merkle root covers (odd counts promote a node). */
export const MERKLE_COUNTS = [0, 1, 2, 3, 5, 9];

export function goldenFixture() {
  const txs = goldenTxs().map(({ name, tx }) => {
    const bytes = encodeTx(tx);
    return { name, hex: toHex(bytes), hash: toHex(txHash(bytes)), signingBytes: toHex(txSigningBytes(tx)) };
  });
  const hashes = goldenTxs().map(({ tx }) => txHash(encodeTx(tx)));
  const header = goldenHeader(hashes);
  return {
    chainId: CHAIN_ID,
    txs,
    txMerkleRoots: MERKLE_COUNTS.map((count) => ({ count, root: toHex(txMerkleRoot(hashes.slice(0, count))) })),
    blockHeader: { hex: toHex(encodeHeader(header)), hash: toHex(blockHash(header)) },
  };
}
