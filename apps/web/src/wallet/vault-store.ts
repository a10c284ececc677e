import type { VaultFile } from '@arc/client/keystore';
import { loadKeystore } from './keystore.ts';

/**
 * The wallet's one IndexedDB record: the encrypted vault (keystore of @arc/client) and, in clear, what the locked
 * wallet shows (the accounts' DIDs and labels, which account is selected). Raw IndexedDB, one database, one store.
 */

const DB_NAME = 'arc-wallet';
const DB_VERSION = 1;
const STORE = 'vault';
const KEY = 'main';

export interface PublicAccount {
  did: string;
  label: string;
}

export interface StoredWallet {
  vault: VaultFile;
  accounts: PublicAccount[];
  activeDid: string | null;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

let dbPromise: Promise<IDBDatabase> | null = null;

function openDb(): Promise<IDBDatabase> {
  dbPromise ??= new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error ?? new Error('IndexedDB could not be opened'));
    open.onblocked = () => reject(new Error('IndexedDB is blocked by another tab; close the other tabs of this wallet'));
  }).catch((error: unknown) => {
    dbPromise = null;
    throw error;
  });
  return dbPromise;
}

async function store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
  const db = await openDb();
  return db.transaction(STORE, mode).objectStore(STORE);
}

/** The stored wallet, or null when this browser has none; a damaged record is BACKUP_INVALID. */
export async function loadWallet(): Promise<StoredWallet | null> {
  const raw = await request((await store('readonly')).get(KEY));
  if (raw === undefined) return null;
  // Only a browser with a wallet downloads the record's schema and the keystore.
  const [{ parseRecord }, { parseVaultFile }] = await Promise.all([import('./vault-record.ts'), loadKeystore()]);
  const parsed = parseRecord(raw);
  return { vault: parseVaultFile(parsed.vault, 'arc-vault'), accounts: parsed.accounts, activeDid: parsed.activeDid };
}

/** Replaces the stored wallet (one put: the record is never half written). */
export async function saveWallet(wallet: StoredWallet): Promise<void> {
  await request((await store('readwrite')).put(wallet, KEY));
}

/** Forgets the wallet of this browser (its backup file or phrase restores it). */
export async function deleteWallet(): Promise<void> {
  await request((await store('readwrite')).delete(KEY));
}
