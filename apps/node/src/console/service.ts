import { decodeAccount, decodeGrant, fromHex, isValidDid, verifyAdmin } from '@arc/core';
import type { Sql } from '../db/client.ts';
import { NodeError } from '../errors.ts';
import { type ApplicationDetail, type ApplicationOutT, type Overview, REGISTER_APPLICATION_OP } from './api-schemas.ts';

export const CONSOLE_LIMITS = {
  /** Applications one developer may own. */
  applicationsPerOwnerMax: 100,
  /** Fee grants listed per application (the newest first would need an index the ledger does not keep). */
  grantsListedMax: 200,
  recentDeploysMax: 5,
} as const;

interface SignedBy {
  publicKey: string;
  timeMs: number;
  signature: string;
}

interface ApplicationRow {
  appDid: string;
  ownerDid: string;
  name: string;
  createdAtMs: number;
}

const APP_COLUMNS = `app_did AS "appDid", owner_did AS "ownerDid", name, created_at_ms::float8 AS "createdAtMs"`;

/**
 * The developer console: which applications a developer owns (a statement both the developer and the application's
 * key signed), and what the console shows of them: API keys, fee grants and their spend, blocklets and deploys.
 */
export class ConsoleService {
  constructor(
    readonly db: Sql,
    readonly now: () => number = Date.now,
  ) {}

  /** Checks one signature of the ownership statement and returns the DID that made it. */
  #signer(auth: SignedBy, appDid: string, params: { owner: string; name: string }, who: string): string {
    const verified = verifyAdmin(
      { publicKey: fromHex(auth.publicKey), timeMs: auth.timeMs, signature: fromHex(auth.signature) },
      REGISTER_APPLICATION_OP,
      appDid,
      params,
      this.now(),
    );
    if ('error' in verified) throw new NodeError('UNAUTHORIZED', `The ${who}'s signature does not hold: ${verified.error}.`);
    return verified.did;
  }

  /**
   * Records that the signed-in developer owns an application: the developer signed the statement, the application's
   * key countersigned it. Registering the same pair again is a no-op; an application owned by someone else is refused.
   */
  async register(
    ownerDid: string,
    input: { appDid: string; name: string; ownerAuth: SignedBy; appAuth: SignedBy },
  ): Promise<ApplicationOutT> {
    if (!isValidDid(input.appDid)) throw new NodeError('BAD_INPUT', `${input.appDid} is not a DID.`);
    if (input.appDid === ownerDid) throw new NodeError('BAD_INPUT', 'An application needs a DID of its own, not yours.');
    if (input.ownerAuth.timeMs !== input.appAuth.timeMs)
      throw new NodeError('BAD_INPUT', 'The two signatures must cover the same statement (the same time).');
    const params = { owner: ownerDid, name: input.name };
    if (this.#signer(input.ownerAuth, input.appDid, params, 'developer') !== ownerDid)
      throw new NodeError('FORBIDDEN', `The statement must be signed by you (${ownerDid}), the signed-in developer.`);
    if (this.#signer(input.appAuth, input.appDid, params, 'application') !== input.appDid)
      throw new NodeError('FORBIDDEN', `The countersignature must be made with the key of ${input.appDid}.`);
    const existing = await this.#row(input.appDid);
    if (existing) {
      if (existing.ownerDid !== ownerDid) throw new NodeError('CONFLICT', `${input.appDid} already belongs to another developer.`);
      return existing;
    }
    const [count] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM console_applications WHERE owner_did = $1', [
      ownerDid,
    ]);
    if ((count?.n ?? 0) >= CONSOLE_LIMITS.applicationsPerOwnerMax)
      throw new NodeError('RATE_LIMITED', `A developer has at most ${CONSOLE_LIMITS.applicationsPerOwnerMax} applications.`);
    const createdAtMs = this.now();
    await this.db.query(
      `INSERT INTO console_applications (app_did, owner_did, name, signed_at_ms, owner_public_key, owner_signature, app_public_key, app_signature, created_at_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (app_did) DO NOTHING`,
      [
        input.appDid,
        ownerDid,
        input.name,
        input.ownerAuth.timeMs,
        input.ownerAuth.publicKey,
        input.ownerAuth.signature,
        input.appAuth.publicKey,
        input.appAuth.signature,
        createdAtMs,
      ],
    );
    const row = await this.#row(input.appDid);
    if (!row || row.ownerDid !== ownerDid) throw new NodeError('CONFLICT', `${input.appDid} already belongs to another developer.`);
    return row;
  }

  async #row(appDid: string): Promise<ApplicationRow | null> {
    const [row] = await this.db.query<ApplicationRow>(`SELECT ${APP_COLUMNS} FROM console_applications WHERE app_did = $1`, [appDid]);
    return row ?? null;
  }

  /** The developer's applications, newest first. */
  async list(ownerDid: string): Promise<ApplicationOutT[]> {
    return this.db.query<ApplicationRow>(
      `SELECT ${APP_COLUMNS} FROM console_applications WHERE owner_did = $1 ORDER BY created_at_ms DESC LIMIT $2`,
      [ownerDid, CONSOLE_LIMITS.applicationsPerOwnerMax],
    );
  }

  /** One of the developer's applications with its account, API keys and fee grants; NOT_FOUND for anyone else's. */
  async get(ownerDid: string, appDid: string): Promise<ApplicationDetail> {
    const app = await this.#row(appDid);
    if (!app || app.ownerDid !== ownerDid) throw new NodeError('NOT_FOUND', `You own no application ${appDid}.`);
    const [accountRow] = await this.db.query<{ value: Uint8Array }>('SELECT value FROM accounts WHERE did = $1', [appDid]);
    const account = accountRow ? decodeAccount(new Uint8Array(accountRow.value)) : null;
    const apiKeys = await this.db.query<{ keyId: string; createdAtMs: number }>(
      'SELECT key_id AS "keyId", created_at_ms::float8 AS "createdAtMs" FROM gateway_api_keys WHERE app_did = $1 ORDER BY created_at_ms',
      [appDid],
    );
    const grantRows = await this.db.query<{ value: Uint8Array }>('SELECT value FROM grants WHERE payer = $1 ORDER BY grantee LIMIT $2', [
      appDid,
      CONSOLE_LIMITS.grantsListedMax,
    ]);
    const grants = grantRows.map((row) => decodeGrant(new Uint8Array(row.value)));
    const spent = grants.reduce((sum, grant) => sum + grant.spent, 0n);
    return {
      ...app,
      account: {
        declared: account?.publicKey != null,
        moniker: account?.moniker ?? '',
        balance: (account?.balance ?? 0n).toString(),
      },
      apiKeys,
      grants: grants.map((g) => ({
        grantee: g.grantee,
        allowance: g.allowance.toString(),
        spent: g.spent.toString(),
        expiresAtMs: g.expiresAtMs,
      })),
      grantsSpent: spent.toString(),
    };
  }

  /** What the console's overview shows: counts of applications and blocklets, and the latest deploys. */
  async overview(did: string): Promise<Overview> {
    const [apps] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM console_applications WHERE owner_did = $1', [did]);
    const [blocklets] = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM blocklets WHERE owner = $1', [did]);
    const recentDeploys = await this.db.query<Overview['recentDeploys'][number]>(
      `SELECT name, version, tx_hash AS "txHash", height::float8 AS height, deployed_at_ms::float8 AS "deployedAtMs"
       FROM blocklet_versions WHERE owner = $1 ORDER BY height DESC LIMIT $2`,
      [did, CONSOLE_LIMITS.recentDeploysMax],
    );
    return { did, applications: apps?.n ?? 0, blocklets: blocklets?.n ?? 0, recentDeploys };
  }
}
