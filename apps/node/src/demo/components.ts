import { devKey } from '../config/dev-keys.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { deployComponent } from '../runtime/components/deploy-builtin.ts';
import { COMPONENT_NAMES } from '../runtime/components/index.ts';
import type { BlockletRuntime } from '../runtime/service.ts';

/**
 * Deploys the built-in components on a fresh dev chain, owned by Alice, so `npm start` shows blocklets live at
 * /b/<name>/ (identity, token, messaging, notification, oracle). Each deploy is a real ledger transaction.
 */
export async function seedComponents(runtime: BlockletRuntime, ledger: Ledger): Promise<string[]> {
  const alice = devKey('alice');
  const deployed: string[] = [];
  for (const folder of COMPONENT_NAMES) deployed.push(await deployComponent({ runtime, ledger }, alice, folder));
  return deployed;
}
