import { ClientError, parseAmount } from '@arc/client';
import { formatAmount } from '@arc/ui';
import { z } from 'zod';
import type { useTRPCClient } from '../../trpc/react.tsx';
import { nodeClient, type WalletContextValue } from '../../wallet/index.ts';
import { ABT_DECIMALS, accountSigner, ownershipStatement } from './signing.ts';

/** The same rules as the node's ApplicationName (apps/node/src/console/api-schemas.ts). */
export const ApplicationName = z
  .string()
  .trim()
  .min(2, 'at least 2 characters')
  .max(48, 'at most 48 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._'-]*$/u, "letters, digits, spaces and . _ ' - (starting with a letter or digit)");

/** The create form: a name and the ABT the developer moves to the application (it pays its own fees and its users'). */
export const CreateApplicationForm = z.object({
  name: ApplicationName,
  funding: z.string().refine((text) => {
    try {
      return parseAmount(text, ABT_DECIMALS) > 0n;
    } catch {
      return false;
    }
  }, 'an amount of ABT above 0, like 1 or 0.5'),
});

type TrpcClient = ReturnType<typeof useTRPCClient>;

/**
 * Creates an application: a new key pair kept in the wallet (one more account, labelled as the application), the
 * ownership statement signed by the developer and countersigned by the application key, recorded by the node; then
 * the developer funds the application and the application declares its account on the ledger under its name.
 */
export async function createApplication(
  wallet: WalletContextValue,
  trpc: TrpcClient,
  input: z.infer<typeof CreateApplicationForm>,
): Promise<{ appDid: string }> {
  const developerDid = wallet.active?.did;
  if (!developerDid) throw new ClientError('WALLET_LOCKED', 'Unlock your wallet first.');
  const amount = parseAmount(input.funding, ABT_DECIMALS);
  return wallet.signWithConsent({
    title: `Create the application "${input.name}"`,
    origin: 'Arc Console',
    details: [
      { label: 'New key', value: 'A new key pair for the application, kept in this wallet as one more account' },
      { label: 'Owner', value: `${developerDid} (you), signed by you and by the application key` },
      { label: 'Funding', value: `${formatAmount(amount, ABT_DECIMALS)} ABT from your account to the application` },
      { label: 'On the ledger', value: `The application declares its account as "${input.name}"` },
    ],
    sign: async (developer) => {
      const created = await wallet.addAccount(`${input.name} (application)`, { select: false });
      const app = await accountSigner(wallet, created.did);
      await trpc.console.registerApplication.mutate(ownershipStatement(developer, app, input.name));
      const node = nodeClient();
      await node.transfer({ wallet: developer, to: app.did, amount, memo: `fund application ${input.name}` });
      await node.declareAccount({ wallet: app, moniker: input.name });
      return { appDid: app.did };
    },
  });
}
