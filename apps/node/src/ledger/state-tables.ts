import type { StateKind } from '@arc/core';

/** Keys of the state a block will read, grouped by kind. */
export interface StateKeys {
  accounts: Set<string>;
  tokens: Set<string>;
  assets: Set<string>;
  grants: Set<string>; // grantId(payer, grantee)
  components: Set<string>; // name
  componentVersions: Set<string>; // componentVersionId(name, version)
  reviews: Set<string>; // reviewId(component, reviewer)
  reports: Set<string>; // report id (hex)
  usage: Set<string>; // usageId(component, account)
  stakes: Set<string>; // staker DID
  applications: Set<string>; // application DID
  receipts: Set<string>; // receipt id (`slash:<hex>`, `burn:<hex>:<n>`)
}

export function emptyStateKeys(): StateKeys {
  return {
    accounts: new Set(),
    tokens: new Set(),
    assets: new Set(),
    grants: new Set(),
    components: new Set(),
    componentVersions: new Set(),
    reviews: new Set(),
    reports: new Set(),
    usage: new Set(),
    stakes: new Set(),
    applications: new Set(),
    receipts: new Set(),
  };
}

/**
 * Where each kind of state lives: its table and the SQL of its id (the part after `kind:` in its state key). A
 * composite id is split on its separator for the lookup, so the primary key's index serves it; component names
 * and versions never hold the separators (BLOCKLET_NAME, SEMVER).
 */
export const STATE_TABLES: Record<StateKind, { table: string; idSql: string; split?: { sep: string; columns: [string, string] } }> = {
  account: { table: 'accounts', idSql: 'did' },
  token: { table: 'tokens', idSql: 'address' },
  asset: { table: 'assets', idSql: 'address' },
  grant: { table: 'grants', idSql: "payer || '/' || grantee", split: { sep: '/', columns: ['payer', 'grantee'] } },
  component: { table: 'components', idSql: 'name' },
  componentVersion: {
    table: 'component_versions',
    idSql: "name || '@' || version",
    split: { sep: '@', columns: ['name', 'version'] },
  },
  review: { table: 'reviews', idSql: "component || '/' || reviewer", split: { sep: '/', columns: ['component', 'reviewer'] } },
  report: { table: 'abuse_reports', idSql: 'id' },
  usage: { table: 'component_usage', idSql: "component || '/' || account", split: { sep: '/', columns: ['component', 'account'] } },
  stake: { table: 'stakes', idSql: 'did' },
  application: { table: 'applications', idSql: 'did' },
  receipt: { table: 'receipts', idSql: 'id' },
};

/** The key set of each kind. */
export function keysOfKind(keys: StateKeys, kind: StateKind): Set<string> {
  switch (kind) {
    case 'account':
      return keys.accounts;
    case 'token':
      return keys.tokens;
    case 'asset':
      return keys.assets;
    case 'grant':
      return keys.grants;
    case 'component':
      return keys.components;
    case 'componentVersion':
      return keys.componentVersions;
    case 'review':
      return keys.reviews;
    case 'report':
      return keys.reports;
    case 'usage':
      return keys.usage;
    case 'stake':
      return keys.stakes;
    case 'application':
      return keys.applications;
    case 'receipt':
      return keys.receipts;
  }
}

export function splitId(id: string, sep: string): [string, string] {
  const at = id.indexOf(sep);
  return at < 0 ? [id, ''] : [id.slice(0, at), id.slice(at + sep.length)];
}
