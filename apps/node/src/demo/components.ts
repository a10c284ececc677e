import { join } from 'node:path';
import { encodeTx, fromHex, parseManifest, signTx, signUpload, toHex } from '@arc/core';
import { devKey } from '../config/dev-keys.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { LedgerQueries } from '../ledger/queries.ts';
import { COMPONENT_NAMES, COMPONENTS_DIR, readFolder } from '../runtime/components/index.ts';
import type { BlockletRuntime } from '../runtime/service.ts';

/**
 * Deploys the built-in components on a fresh dev chain, owned by Alice, so `npm start` shows blocklets live at
 * /b/<name>/ (identity, token, messaging, notification, oracle). Each deploy is a real ledger transaction.
 */
export async function seedComponents(runtime: BlockletRuntime, ledger: Ledger, queries: LedgerQueries): Promise<string[]> {
  const alice = devKey('alice');
  const deployed: string[] = [];
  for (const name of COMPONENT_NAMES) {
    const { manifest, files } = readFolder(join(COMPONENTS_DIR, name));
    const text = manifest.replace(/^author: .*$/m, `author: ${alice.did}`);
    const upload = { manifest: { file: 'blocklet.yml' as const, text }, files };
    const auth = signUpload(alice, parseManifest(text, 'blocklet.yml').name, upload, runtime.deps.now());
    const uploaded = await runtime.upload({ ...upload, auth });
    const account = await queries.account(alice.did);
    const nonce = account.nonce + ledger.mempool.pendingCount(alice.did) + 1;
    const tx = signTx(
      {
        chainId: ledger.chainId,
        from: alice.did,
        publicKey: alice.publicKey,
        nonce,
        fee: ledger.params.minFee,
        feePayer: null,
        itx: {
          type: 'deployBlocklet',
          name: uploaded.name,
          version: uploaded.version,
          manifestHash: fromHex(uploaded.manifestHash),
          bundleHash: fromHex(uploaded.bundleHash),
        },
      },
      alice.secretKey,
    );
    await runtime.deploy({ tx: toHex(encodeTx(tx)), alias: 'live', canaryShareBps: 0 });
    deployed.push(uploaded.name);
  }
  return deployed;
}
