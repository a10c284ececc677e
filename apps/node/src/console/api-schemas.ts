import { z } from 'zod';

/**
 * The console procedures' inputs and outputs. registerApplication carries two signatures of one statement, both made
 * with `signAdmin(key, 'console.registerApplication', appDid, { owner: ownerDid, name }, timeMs)` from @arc/core: the
 * developer's (the signed-in DID) and the application's own key (its countersignature).
 */
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as lower-case hex`);
const Did = z.string().min(1).max(128);
const AuthIn = z.strictObject({ publicKey: hex(32), timeMs: z.number().int().nonnegative(), signature: hex(64) });

/** An application's display name: what users see on the sign-in page and in the wallet. */
export const ApplicationName = z
  .string()
  .trim()
  .min(2, 'at least 2 characters')
  .max(48, 'at most 48 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._'-]*$/u, "letters, digits, spaces and . _ ' - (starting with a letter or digit)");

export const REGISTER_APPLICATION_OP = 'console.registerApplication';

export const RegisterApplicationIn = z.strictObject({ appDid: Did, name: ApplicationName, ownerAuth: AuthIn, appAuth: AuthIn });
export const ApplicationIn = z.strictObject({ appDid: Did });

export const ApplicationOut = z.object({
  appDid: z.string(),
  ownerDid: z.string(),
  name: z.string(),
  createdAtMs: z.number(),
});

export const FeeGrantOut = z.object({
  grantee: z.string(),
  /** In the native token's smallest unit, as a decimal string. */
  allowance: z.string(),
  spent: z.string(),
  expiresAtMs: z.number(),
});

export const ApplicationDetailOut = ApplicationOut.extend({
  /** The application account on the ledger: declared (its key is known) and its ABT balance (smallest unit). */
  account: z.object({ declared: z.boolean(), moniker: z.string(), balance: z.string() }),
  apiKeys: z.array(z.object({ keyId: z.string(), createdAtMs: z.number() })),
  grants: z.array(FeeGrantOut),
  /** What the grants have paid in all (smallest unit). */
  grantsSpent: z.string(),
});

export const OverviewOut = z.object({
  did: z.string(),
  applications: z.number(),
  blocklets: z.number(),
  recentDeploys: z.array(
    z.object({ name: z.string(), version: z.string(), txHash: z.string(), height: z.number(), deployedAtMs: z.number() }),
  ),
});

export type ApplicationOutT = z.infer<typeof ApplicationOut>;
export type ApplicationDetail = z.infer<typeof ApplicationDetailOut>;
export type Overview = z.infer<typeof OverviewOut>;
