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
  /** No chain may set maxTxBytes above this. */
  txBytesHardMax: 65_536,
} as const;

export const TOKEN_SYMBOL = /^[A-Z][A-Z0-9]{1,15}$/;
