/** Named bounds on every field of a transaction; exceeding one is a typed error. */
export const TX_LIMITS = {
  chainIdBytes: 64,
  didBytes: 64,
  monikerBytes: 64,
  memoBytes: 256,
  symbolBytes: 16,
  tokenNameBytes: 64,
  assetDataBytes: 8192,
  transferTokensMax: 16,
  transferAssetsMax: 16,
  tokenDecimalsMax: 18,
  blockletNameBytes: 64,
  blockletVersionBytes: 64,
  /** No chain may set maxTxBytes above this. */
  txBytesHardMax: 65_536,
} as const;

export const TOKEN_SYMBOL = /^[A-Z][A-Z0-9]{1,15}$/;

/** A blocklet name: lower-case letters, digits and dashes, a letter first, no dash last; 2 to 64 characters. */
export const BLOCKLET_NAME = /^[a-z][a-z0-9-]{0,62}[a-z0-9]$/;

/** Semantic versioning 2.0 (semver.org's regular expression). */
export const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
