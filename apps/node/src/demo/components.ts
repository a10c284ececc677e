import { encodeTx, signTx, toHex } from '@arc/core';
import { devKey } from '../config/dev-keys.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { LedgerQueries } from '../ledger/queries.ts';
import { uploadComponent } from '../runtime/components/deploy-builtin.ts';
import { COMPONENT_NAMES } from '../runtime/components/index.ts';
import type { BlockletRuntime } from '../runtime/service.ts';

/**
 * Deploys the built-in components on a fresh dev chain, owned by Alice, so `npm start` shows blocklets live at
 * /b/<name>/ (identity, token, messaging, notification, oracle). Each deploy is a real ledger transaction.
 */
export async function seedComponents(runtime: BlockletRuntime, ledger: Ledger, queries: LedgerQueries): Promise<string[]> {
  const alice = devKey('alice');
  const deployed: string[] = [];
  for (const folder of COMPONENT_NAMES) {
    const { name, itx } = await uploadComponent(runtime, alice, folder);
    const account = await queries.account(alice.did);
    const nonce = account.nonce + ledger.mempool.pendingCount(alice.did) + 1;
    const tx = signTx(
      { chainId: ledger.chainId, from: alice.did, publicKey: alice.publicKey, nonce, fee: ledger.params.minFee, feePayer: null, itx },
      alice.secretKey,
    );
    await runtime.deploy({ tx: toHex(encodeTx(tx)), alias: 'live', canaryShareBps: 0 });
    deployed.push(name);
  }
  return deployed;
}
