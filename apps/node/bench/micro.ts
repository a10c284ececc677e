import { applyTxs, checkTxStatic, decodeTx, didFromPublicKey, encodeTx, isValidDid, keyPairFromSeed, sha3, signTx, utf8, txSigningBytes, type CheckedTx } from '@arc/core';
import { installNodeCrypto } from '../src/ledger/node-crypto.ts';
installNodeCrypto();
const params = { minFee: 1n, maxTxBytes: 16384, maxTxsPerBlock: 5000, maxBlockBytes: 1 << 22 };
const keys = Array.from({ length: 100 }, (_, i) => { const k = keyPairFromSeed(sha3(utf8(`m${i}`))); return { ...k, did: didFromPublicKey(k.publicKey) }; });
const txs = Array.from({ length: 5000 }, (_, i) => { const s = keys[i % 100]!; return encodeTx(signTx({ chainId: 'c', from: s.did, publicKey: s.publicKey, nonce: 1 + Math.floor(i / 100), fee: 1n, feePayer: null, itx: { type: 'transfer', to: keys[(i + 1) % 100]!.did, amount: 1n, tokens: [], assets: [], memo: '' } }, s.secretKey)); });
function time(name: string, fn: () => void, n = txs.length) { const t = performance.now(); fn(); const us = ((performance.now() - t) * 1000) / n; console.log(name.padEnd(20), us.toFixed(2), 'µs/tx'); }
for (let r = 0; r < 2; r++) {
time('decode', () => { for (const t of txs) decodeTx(t); });
time('isValidDid', () => { for (const k of keys) for (let i = 0; i < 50; i++) isValidDid(k.did); });
time('sha3', () => { for (const t of txs) sha3(t); });
time('signingBytes', () => { for (const t of txs) txSigningBytes(decodeTx(t)); });
let checked: CheckedTx[] = [];
time('checkTxStatic', () => { checked = txs.map((t) => checkTxStatic(t, { chainId: 'c', params }) as CheckedTx); });
const accounts = new Map(keys.map((k) => [k.did, { did: k.did, publicKey: null, moniker: '', nonce: 0, balance: 10n ** 20n, tokens: new Map() }]));
const view = { account: (d: string) => accounts.get(d), token: () => undefined, asset: () => undefined, grant: () => undefined } as any;
const sorted = [...checked].sort((a, b) => a.tx.nonce - b.tx.nonce);
time('applyTxs(100/blk)', () => { for (let i = 0; i < 100; i += 1) applyTxs(view, sorted.slice(i * 50, i * 50 + 50).filter(c => c.tx.nonce === 1), { chainId: 'c', height: 1, timeMs: 1, proposer: keys[0]!.did, params }); }, 100 * 50);
}
