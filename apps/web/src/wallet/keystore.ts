/**
 * The keystore of @arc/client (scrypt, AES-256-GCM, the BIP-39 word list) and its signing Wallet (ed25519), loaded
 * on first use: a page that never opens, creates or imports a wallet never downloads them. Loaded once, then kept.
 */

type Keystore = typeof import('@arc/client/keystore') & Pick<typeof import('@arc/client/wallet'), 'Wallet'>;

let loading: Promise<Keystore> | null = null;
let loaded: Keystore | null = null;

/** The keystore, downloaded the first time it is asked for (a failed download is tried again on the next call). */
export function loadKeystore(): Promise<Keystore> {
  loading ??= Promise.all([import('@arc/client/keystore'), import('@arc/client/wallet')]).then(
    ([keystore, { Wallet }]) => {
      loaded = { ...keystore, Wallet };
      return loaded;
    },
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/**
 * The keystore where it must already be there: a stored or open vault was read or made with it. Throws otherwise (a
 * bug: the caller skipped loadKeystore).
 */
export function loadedKeystore(): Keystore {
  if (loaded === null) throw new Error('the wallet keystore is used before it was loaded (await loadKeystore() first)');
  return loaded;
}
