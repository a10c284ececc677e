'use client';

import type { ScryptParams, SlotSpec, UnlockSecret, VaultAccount, VaultContents, VaultFile } from '@arc/client/keystore';
import type { Wallet } from '@arc/client/wallet';
import { fromHex } from '@arc/core';
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { clientError } from './client-error.ts';
import { loadedKeystore, loadKeystore } from './keystore.ts';
import { createPasskey, evaluatePasskey } from './passkey.ts';
import { deleteWallet, loadWallet, type PublicAccount, type StoredWallet, saveWallet } from './vault-store.ts';
import {
  type CreateMethod,
  DEFAULT_AUTO_LOCK_MS,
  type SignRequest,
  WalletContext,
  type WalletContextValue,
  type WalletStatus,
} from './wallet-context.ts';
import { cancelled, type PendingConsent, type Prompt, WalletDialogs } from './wallet-dialogs.tsx';
import { useAutoLock } from './wallet-hooks.ts';

export {
  type CreateMethod,
  DEFAULT_AUTO_LOCK_MS,
  type SignRequest,
  useWallet,
  type WalletContextValue,
  type WalletStatus,
} from './wallet-context.ts';

const MAX_LABEL_CHARS = 64;

interface Opened {
  dataKey: Uint8Array;
  contents: VaultContents;
}

function nextLabel(accounts: PublicAccount[]): string {
  return `Account ${accounts.length + 1}`;
}

function publicAccounts(contents: VaultContents): PublicAccount[] {
  return contents.accounts.map(({ did, label }) => ({ did, label }));
}

export function WalletProvider({ children, autoLockMs = DEFAULT_AUTO_LOCK_MS }: { children: ReactNode; autoLockMs?: number }) {
  const [stored, setStored] = useState<StoredWallet | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [opened, setOpened] = useState<Opened | null>(null);
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const [consent, setConsent] = useState<PendingConsent | null>(null);
  // The latest values for callbacks that outlive a render (dialogs awaiting the user).
  const storedRef = useRef(stored);
  const openedRef = useRef(opened);
  storedRef.current = stored;
  openedRef.current = opened;

  useEffect(() => {
    let live = true;
    loadWallet()
      .then((wallet) => {
        if (live) setStored(wallet);
      })
      .catch((error: unknown) => {
        // A damaged record: the wallet shows as empty so a backup can be imported; the record stays untouched.
        console.error('the stored wallet could not be read', error);
      })
      .finally(() => {
        if (live) setLoaded(true);
      });
    return () => {
      live = false;
    };
  }, []);

  const status: WalletStatus = !loaded ? 'loading' : stored === null ? 'empty' : opened === null ? 'locked' : 'unlocked';
  const methods = useMemo(() => {
    if (!stored) return { passkey: false, passphrase: false };
    // A stored vault was read or made with the keystore, so it is loaded.
    const found = loadedKeystore().vaultUnlockMethods(stored.vault);
    return { passkey: found.passkeys.length > 0, passphrase: found.passphrase };
  }, [stored]);

  const persist = useCallback(async (next: StoredWallet) => {
    await saveWallet(next);
    storedRef.current = next;
    setStored(next);
  }, []);

  /** Opens the stored vault with a secret; throws WRONG_PASSPHRASE and friends without changing state. */
  const open = useCallback(async (secret: UnlockSecret): Promise<Opened> => {
    const current = storedRef.current;
    if (!current) throw await clientError('WALLET_LOCKED', 'This browser has no wallet yet; create or import one.');
    return (await loadKeystore()).openVault(current.vault, secret);
  }, []);

  const passkeySecret = useCallback(async (): Promise<UnlockSecret> => {
    const current = storedRef.current;
    if (!current) throw await clientError('WALLET_LOCKED', 'This browser has no wallet yet; create or import one.');
    const { passkeys } = loadedKeystore().vaultUnlockMethods(current.vault);
    const first = passkeys[0];
    if (!first) throw await clientError('BAD_INPUT', 'This wallet has no passkey; unlock it with its passphrase.');
    // Every passkey slot of one wallet is made with the same PRF salt.
    const { prfOutput, credentialId } = await evaluatePasskey(
      passkeys.map((p) => p.credentialId),
      fromHex(first.salt),
    );
    return { kind: 'prf', prfOutput, credentialId };
  }, []);

  const unlockWithPasskey = useCallback(async () => setOpened(await open(await passkeySecret())), [open, passkeySecret]);
  const unlockWithPassphrase = useCallback(async (passphrase: string) => setOpened(await open({ kind: 'passphrase', passphrase })), [open]);

  const lock = useCallback(() => {
    setOpened(null);
    setConsent((pending) => {
      pending?.cancel();
      return null;
    });
  }, []);

  const ask = useCallback((mode: Prompt['mode']) => {
    return new Promise<void>((resolve, reject) => setPrompt({ mode, resolve, reject }));
  }, []);

  const unlock = useCallback(async () => {
    if (openedRef.current) return;
    if (!storedRef.current)
      throw await clientError('WALLET_LOCKED', 'This browser has no wallet yet; create or import one on the wallet page.');
    await ask('unlock');
  }, [ask]);

  /** The open account's signing wallet; null when the wallet is locked. */
  const activeWallet = useCallback((named?: string): Wallet | null => {
    const current = openedRef.current;
    const did = named ?? storedRef.current?.activeDid;
    const found = current?.contents.accounts.find((a) => a.did === did);
    const account = named ? found : (found ?? current?.contents.accounts[0]);
    if (!current || !account) return null;
    // An open vault was opened with the keystore, so it is loaded.
    return loadedKeystore().Wallet.fromSecretKey(account.secretKey);
  }, []);

  const signWithConsent = useCallback(
    async <T,>(request: SignRequest<T>): Promise<T> => {
      await unlock();
      const { sign, ...shown } = request;
      return new Promise<T>((resolve, reject) => {
        setConsent({
          request: shown,
          confirm: async (signer) => {
            // The caller shows what went wrong (an overdraft, the node away): the dialog closes either way.
            try {
              resolve(await sign(signer));
            } catch (error) {
              reject(error);
            } finally {
              setConsent(null);
            }
          },
          cancel: () => void cancelled(`"${request.title}"`).then(reject, reject),
        });
      });
    },
    [unlock],
  );

  const signSilently = useCallback(
    async <T,>(sign: (signer: Wallet) => Promise<T>, account?: string): Promise<T> => {
      if (!openedRef.current) throw await clientError('WALLET_LOCKED');
      const signer = activeWallet(account);
      if (!signer)
        throw await clientError('NOT_FOUND', `This wallet does not hold the key of ${account}; open the wallet that created it.`);
      return sign(signer);
    },
    [activeWallet],
  );

  const select = useCallback(
    (did: string) => {
      const current = storedRef.current;
      if (!current?.accounts.some((a) => a.did === did)) return;
      void persist({ ...current, activeDid: did });
    },
    [persist],
  );

  const create = useCallback(
    async (method: CreateMethod, accounts?: VaultAccount[]) => {
      if (storedRef.current) throw await clientError('BAD_INPUT', 'This browser has a wallet already; add accounts to it instead.');
      let slot: SlotSpec;
      if (method.method === 'passkey') {
        // The passkey prompt first, while the click that asked for it is fresh; the keystore downloads after.
        const salt = crypto.getRandomValues(new Uint8Array(32));
        const passkey = await createPasskey(salt);
        slot = { kind: 'prf', prfOutput: passkey.prfOutput, credentialId: passkey.credentialId, salt };
      } else {
        slot = { kind: 'passphrase', passphrase: method.passphrase, scrypt: (await loadKeystore()).SCRYPT_DEFAULTS };
      }
      const keystore = await loadKeystore();
      const first = keystore.Wallet.generate();
      const contents: VaultContents = {
        accounts: accounts?.length ? accounts : [{ did: first.did, label: 'Account 1', secretKey: first.secretKeyHex }],
      };
      const { file, dataKey } = await keystore.createVault(contents, slot);
      await persist({ vault: file, accounts: publicAccounts(contents), activeDid: contents.accounts[0]?.did ?? null });
      setOpened({ dataKey, contents });
    },
    [persist],
  );

  /** Re-encrypts changed contents under the open data key and stores them with the public list. */
  const update = useCallback(
    async (change: (contents: VaultContents) => VaultContents, activeDid?: string) => {
      const current = storedRef.current;
      const open = openedRef.current;
      if (!current || !open) throw await clientError('WALLET_LOCKED');
      const contents = change(open.contents);
      const vault: VaultFile = loadedKeystore().sealVault(current.vault, open.dataKey, contents);
      await persist({ vault, accounts: publicAccounts(contents), activeDid: activeDid ?? current.activeDid });
      // At once, not at the next render: a caller signs with an account it has just added.
      openedRef.current = { ...open, contents };
      setOpened(openedRef.current);
    },
    [persist],
  );

  const addAccount = useCallback(
    async (label?: string, options?: { select?: boolean }) => {
      await unlock();
      const wallet = (await loadKeystore()).Wallet.generate();
      const name = (label?.trim() || nextLabel(storedRef.current?.accounts ?? [])).slice(0, MAX_LABEL_CHARS);
      const select = options?.select ?? true;
      await update(
        (c) => ({ accounts: [...c.accounts, { did: wallet.did, label: name, secretKey: wallet.secretKeyHex }] }),
        select ? wallet.did : undefined,
      );
      return { did: wallet.did, label: name };
    },
    [unlock, update],
  );

  const renameAccount = useCallback(
    async (did: string, label: string) => {
      const name = label.trim().slice(0, MAX_LABEL_CHARS);
      if (!name) throw await clientError('BAD_INPUT', 'An account needs a name; type one.');
      await unlock();
      await update((c) => ({ accounts: c.accounts.map((a) => (a.did === did ? { ...a, label: name } : a)) }));
    },
    [unlock, update],
  );

  const importAccounts = useCallback(
    async (accounts: VaultAccount[]) => {
      await unlock();
      const have = new Set(openedRef.current?.contents.accounts.map((a) => a.did));
      const fresh = accounts.filter((a) => !have.has(a.did));
      if (fresh.length > 0) await update((c) => ({ accounts: [...c.accounts, ...fresh] }), fresh[0]?.did);
      return fresh.length;
    },
    [unlock, update],
  );

  const exportBackup = useCallback(
    async (passphrase: string, scrypt?: ScryptParams) => {
      if (passphrase.length === 0) throw await clientError('BAD_INPUT', 'Choose a passphrase for the backup file.');
      await unlock();
      await ask('confirm');
      const open = openedRef.current;
      if (!open) throw await clientError('WALLET_LOCKED');
      return (await loadKeystore()).exportBackup(open.contents, passphrase, { scrypt });
    },
    [unlock, ask],
  );

  const revealPhrase = useCallback(
    async (did: string) => {
      await unlock();
      await ask('confirm');
      const account = openedRef.current?.contents.accounts.find((a) => a.did === did);
      if (!account) throw await clientError('BAD_INPUT', 'That account is not in this wallet.');
      return (await loadKeystore()).recoveryPhrase(account.secretKey);
    },
    [unlock, ask],
  );

  const addPasskey = useCallback(async () => {
    await unlock();
    const current = storedRef.current;
    const open = openedRef.current;
    if (!current || !open) throw await clientError('WALLET_LOCKED');
    const keystore = await loadKeystore();
    // A wallet's passkeys share one PRF salt (passkeySecret evaluates them all on it).
    const shared = keystore.vaultUnlockMethods(current.vault).passkeys[0]?.salt;
    const salt = shared ? fromHex(shared) : crypto.getRandomValues(new Uint8Array(32));
    const passkey = await createPasskey(salt);
    const vault = await keystore.addPasskeySlot(current.vault, open.dataKey, { ...passkey, salt });
    await persist({ ...current, vault });
  }, [unlock, persist]);

  const forget = useCallback(async () => {
    await deleteWallet();
    storedRef.current = null;
    setStored(null);
    setOpened(null);
  }, []);

  useAutoLock(opened, autoLockMs, lock);

  const accounts = stored?.accounts ?? [];
  const active = accounts.find((a) => a.did === stored?.activeDid) ?? accounts[0] ?? null;

  const value = useMemo<WalletContextValue>(
    () => ({
      status,
      accounts,
      active,
      methods,
      select,
      lock,
      unlock,
      unlockWithPasskey,
      unlockWithPassphrase,
      signWithConsent,
      signSilently,
      create,
      addAccount,
      renameAccount,
      importAccounts,
      exportBackup,
      revealPhrase,
      forget,
      addPasskey,
    }),
    [
      status,
      accounts,
      active,
      methods,
      select,
      lock,
      unlock,
      unlockWithPasskey,
      unlockWithPassphrase,
      signWithConsent,
      signSilently,
      create,
      addAccount,
      renameAccount,
      importAccounts,
      exportBackup,
      revealPhrase,
      forget,
      addPasskey,
    ],
  );

  return (
    <WalletContext.Provider value={value}>
      {children}
      <WalletDialogs
        prompt={prompt}
        setPrompt={setPrompt}
        consent={consent}
        setConsent={setConsent}
        methods={methods}
        active={active}
        openVault={async (secret, reopen) => {
          const result = await open(secret);
          if (reopen) setOpened(result);
        }}
        passkeySecret={passkeySecret}
        activeWallet={activeWallet}
      />
    </WalletContext.Provider>
  );
}
