import { fromHex, toHex } from '@arc/core';
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { entropyToMnemonic, mnemonicToEntropy, validateMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { z } from 'zod';
import { ClientError } from './errors.ts';
import type { RandomBytes } from './wallet.ts';
import { Wallet } from './wallet.ts';

/**
 * The browser wallet's keystore: a vault of account keys encrypted with AES-256-GCM under a random data key, the
 * data key wrapped once per way to unlock it (a key slot): a passkey's WebAuthn PRF output through HKDF-SHA256,
 * or a passphrase through scrypt. A backup file is the same vault with one passphrase slot. Pure: no storage, no
 * WebAuthn; the caller passes the PRF output or the passphrase in, and stores the JSON it gets back.
 */

/** scrypt's cost for a new passphrase slot: N = 2^17, r = 8, p = 1 (128 MiB, about a second in a browser). */
export const SCRYPT_DEFAULTS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
/** The largest cost a file may ask for (N = 2^20, r = 16, p = 4), so a crafted file cannot hang the page. */
const SCRYPT_MAX = { N: 2 ** 20, r: 16, p: 4 };
/** Bytes of a KDF salt, a PRF salt, a data key, an AES-GCM nonce. */
const SALT_BYTES = 32;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
/** Most ways one vault opens (its key slots: passkeys and passphrases). */
export const MAX_KEY_SLOTS = 8;
/** Most accounts one vault holds, and the longest label. */
export const MAX_VAULT_ACCOUNTS = 100;
export const MAX_ACCOUNT_LABEL_CHARS = 64;
/** The HKDF info that binds a PRF output to this use (a passkey's PRF may serve other purposes on the same site). */
const PRF_HKDF_INFO = new TextEncoder().encode('arc-wallet vault key v1');

const defaultRandom: RandomBytes = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

const hexBytes = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `must be ${bytes} bytes of lower-case hex`);
const hexAny = z.string().regex(/^([0-9a-f]{2})+$/, 'must be hex');

const ScryptKdfSchema = z.object({
  type: z.literal('scrypt'),
  N: z
    .number()
    .int()
    .min(2)
    .max(SCRYPT_MAX.N)
    .refine((n) => (n & (n - 1)) === 0, 'N must be a power of two'),
  r: z.number().int().min(1).max(SCRYPT_MAX.r),
  p: z.number().int().min(1).max(SCRYPT_MAX.p),
  salt: hexBytes(SALT_BYTES),
});
const PrfKdfSchema = z.object({
  type: z.literal('prf'),
  /** The passkey's credential id (base64url), for `allowCredentials`. */
  credentialId: z.string().min(1).max(1024),
  /** The PRF input (`extensions.prf.eval.first`); the output goes through HKDF-SHA256 with this salt too. */
  salt: hexBytes(SALT_BYTES),
});
const KeySlotSchema = z.object({
  kdf: z.discriminatedUnion('type', [ScryptKdfSchema, PrfKdfSchema]),
  nonce: hexBytes(NONCE_BYTES),
  /** The data key, AES-256-GCM encrypted under the slot's key (32 bytes + 16 bytes tag). */
  wrappedKey: hexBytes(KEY_BYTES + 16),
});
export type KeySlot = z.infer<typeof KeySlotSchema>;

/** The stored (and exported) form: versioned JSON, nothing secret in clear. */
export const VaultFileSchema = z.object({
  format: z.enum(['arc-vault', 'arc-backup']),
  version: z.literal(1),
  slots: z.array(KeySlotSchema).min(1).max(MAX_KEY_SLOTS),
  nonce: hexBytes(NONCE_BYTES),
  /** The accounts (VaultContents as JSON), AES-256-GCM encrypted under the data key. */
  ciphertext: hexAny.max(2 * 64 * 1024),
});
export type VaultFile = z.infer<typeof VaultFileSchema>;

const AccountSchema = z.object({
  did: z.string().min(1).max(200),
  label: z.string().min(1).max(MAX_ACCOUNT_LABEL_CHARS),
  /** The 32-byte ed25519 seed (Wallet.fromSecretKey). */
  secretKey: hexBytes(32),
});
export type VaultAccount = z.infer<typeof AccountSchema>;
/** What the vault holds once open. */
export const VaultContentsSchema = z.object({ accounts: z.array(AccountSchema).max(MAX_VAULT_ACCOUNTS) });
export type VaultContents = z.infer<typeof VaultContentsSchema>;

/** How to open (or add) a key slot: a passkey's PRF output, or a passphrase. */
export type UnlockSecret = { kind: 'prf'; prfOutput: Uint8Array; credentialId?: string } | { kind: 'passphrase'; passphrase: string };

/** How to make a new key slot: a passkey (its id, the salt its PRF was evaluated on, the output) or a passphrase. */
export type SlotSpec =
  | { kind: 'prf'; prfOutput: Uint8Array; credentialId: string; salt: Uint8Array }
  | { kind: 'passphrase'; passphrase: string; scrypt?: ScryptParams };

/** An open vault: its accounts and the data key, which stays in memory only while the wallet is unlocked. */
export interface OpenVault {
  contents: VaultContents;
  dataKey: Uint8Array;
}

function invalid(message: string): ClientError {
  return new ClientError('BACKUP_INVALID', message);
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The associated data of the contents: the file's format and version, so a backup cannot pose as a vault. */
function contentsAad(file: Pick<VaultFile, 'format' | 'version'>): Uint8Array {
  return json({ format: file.format, version: file.version });
}

/** The associated data of a slot: its KDF parameters, so they cannot be swapped for cheaper ones. */
function slotAad(kdf: KeySlot['kdf']): Uint8Array {
  return json(kdf);
}

async function slotKey(kdf: KeySlot['kdf'], secret: UnlockSecret): Promise<Uint8Array> {
  if (kdf.type === 'scrypt') {
    if (secret.kind !== 'passphrase') throw new ClientError('BAD_INPUT', 'this key slot opens with a passphrase');
    const passphrase = new TextEncoder().encode(secret.passphrase.normalize('NFKC'));
    return scryptAsync(passphrase, fromHex(kdf.salt), { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: KEY_BYTES, maxmem: 2 ** 31 });
  }
  if (secret.kind !== 'prf') throw new ClientError('BAD_INPUT', 'this key slot opens with a passkey');
  if (secret.prfOutput.length !== 32) throw new ClientError('BAD_INPUT', `a PRF output is 32 bytes, not ${secret.prfOutput.length}`);
  return hkdf(sha256, secret.prfOutput, fromHex(kdf.salt), PRF_HKDF_INFO, KEY_BYTES);
}

async function makeSlot(dataKey: Uint8Array, spec: SlotSpec, random: RandomBytes): Promise<KeySlot> {
  let kdf: KeySlot['kdf'];
  let secret: UnlockSecret;
  if (spec.kind === 'prf') {
    if (spec.salt.length !== SALT_BYTES) throw new ClientError('BAD_INPUT', `a PRF salt is ${SALT_BYTES} bytes`);
    kdf = { type: 'prf', credentialId: spec.credentialId, salt: toHex(spec.salt) };
    secret = spec;
  } else {
    if (spec.passphrase.length === 0) throw new ClientError('BAD_INPUT', 'the passphrase is empty');
    const params = spec.scrypt ?? SCRYPT_DEFAULTS;
    kdf = ScryptKdfSchema.parse({ type: 'scrypt', ...params, salt: toHex(random(SALT_BYTES)) });
    secret = spec;
  }
  const key = await slotKey(kdf, secret);
  const nonce = random(NONCE_BYTES);
  return { kdf, nonce: toHex(nonce), wrappedKey: toHex(gcm(key, nonce, slotAad(kdf)).encrypt(dataKey)) };
}

function encryptContents(file: Pick<VaultFile, 'format' | 'version'>, dataKey: Uint8Array, contents: VaultContents, random: RandomBytes) {
  const checked = checkContents(contents);
  const nonce = random(NONCE_BYTES);
  return { nonce: toHex(nonce), ciphertext: toHex(gcm(dataKey, nonce, contentsAad(file)).encrypt(json(checked))) };
}

/** Checks that each account's DID is its key's and that no DID appears twice. */
function checkContents(contents: VaultContents): VaultContents {
  const parsed = VaultContentsSchema.parse(contents);
  const seen = new Set<string>();
  for (const account of parsed.accounts) {
    if (Wallet.fromSecretKey(account.secretKey).did !== account.did) throw invalid(`the account ${account.did} does not match its key`);
    if (seen.has(account.did)) throw invalid(`the account ${account.did} is in the vault twice`);
    seen.add(account.did);
  }
  return parsed;
}

/** Parses a stored vault or a backup file; anything else (corrupt, foreign, a newer version) is BACKUP_INVALID. */
export function parseVaultFile(input: unknown, format?: VaultFile['format']): VaultFile {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw invalid('the file is not JSON, so not a wallet backup');
    }
  }
  const parsed = VaultFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`not a wallet file: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'invalid'}`);
  }
  if (format !== undefined && parsed.data.format !== format) throw invalid(`the file is an ${parsed.data.format}, not an ${format}`);
  return parsed.data;
}

/** A new vault holding `contents`, openable with the one slot described (more can be added with addKeySlot). */
export async function createVault(
  contents: VaultContents,
  slot: SlotSpec,
  options: { random?: RandomBytes; format?: VaultFile['format'] } = {},
): Promise<{ file: VaultFile; dataKey: Uint8Array }> {
  const random = options.random ?? defaultRandom;
  const header = { format: options.format ?? 'arc-vault', version: 1 } as const;
  const dataKey = random(KEY_BYTES);
  const slots = [await makeSlot(dataKey, slot, random)];
  return { file: { ...header, slots, ...encryptContents(header, dataKey, contents, random) }, dataKey };
}

/** Opens a vault with a passkey's PRF output or a passphrase; a wrong one is WRONG_PASSPHRASE. */
export async function openVault(file: VaultFile, secret: UnlockSecret): Promise<OpenVault> {
  const wanted = secret.kind === 'prf' ? 'prf' : 'scrypt';
  const slots = file.slots.filter(
    (slot) =>
      slot.kdf.type === wanted &&
      (secret.kind !== 'prf' ||
        secret.credentialId === undefined ||
        (slot.kdf.type === 'prf' && slot.kdf.credentialId === secret.credentialId)),
  );
  if (slots.length === 0) {
    throw new ClientError(
      'BAD_INPUT',
      secret.kind === 'prf'
        ? 'this wallet has no passkey; unlock it with its passphrase'
        : 'this wallet has no passphrase; unlock it with its passkey',
    );
  }
  for (const slot of slots) {
    const key = await slotKey(slot.kdf, secret);
    let dataKey: Uint8Array;
    try {
      dataKey = gcm(key, fromHex(slot.nonce), slotAad(slot.kdf)).decrypt(fromHex(slot.wrappedKey));
    } catch {
      continue; // not this slot's secret: try the next slot of the same kind
    }
    return { contents: decryptContents(file, dataKey), dataKey };
  }
  throw new ClientError(
    'WRONG_PASSPHRASE',
    secret.kind === 'prf'
      ? 'This passkey does not open the wallet; choose the passkey you created it with.'
      : 'The passphrase does not open this wallet; check it (and the keyboard layout) and try again.',
  );
}

function decryptContents(file: VaultFile, dataKey: Uint8Array): VaultContents {
  let plain: Uint8Array;
  try {
    plain = gcm(dataKey, fromHex(file.nonce), contentsAad(file)).decrypt(fromHex(file.ciphertext));
  } catch {
    throw invalid('the wallet file is damaged: its accounts do not decrypt under its own key');
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(plain));
  } catch {
    throw invalid('the wallet file is damaged: its accounts are not JSON');
  }
  const parsed = VaultContentsSchema.safeParse(value);
  if (!parsed.success) throw invalid('the wallet file holds accounts in a form this wallet does not read');
  return checkContents(parsed.data);
}

/** The vault with new contents under the same data key and slots (adding, renaming or removing an account). */
export function sealVault(file: VaultFile, dataKey: Uint8Array, contents: VaultContents, random: RandomBytes = defaultRandom): VaultFile {
  return { ...file, ...encryptContents(file, dataKey, contents, random) };
}

/** The vault with one more way to open it (a passkey beside a passphrase, or the reverse). */
export async function addKeySlot(
  file: VaultFile,
  dataKey: Uint8Array,
  slot: SlotSpec,
  random: RandomBytes = defaultRandom,
): Promise<VaultFile> {
  return VaultFileSchema.parse({ ...file, slots: [...file.slots, await makeSlot(dataKey, slot, random)] });
}

/** A passkey just registered for a vault: its credential id, the PRF salt it was evaluated on, and the output. */
export interface NewPasskeySlot {
  credentialId: string;
  salt: Uint8Array;
  prfOutput: Uint8Array;
}

/**
 * The vault with a passkey added as one more way to open it: the open data key is re-wrapped under the key the
 * passkey's PRF output derives (HKDF-SHA256); the contents and the other slots (the passphrase) are untouched.
 * Checks that `dataKey` is this vault's, that the passkey is new to it and shares the PRF salt of any passkey already
 * there (the unlock prompt evaluates all of them on one salt), and that the new slot opens the vault before returning.
 */
export async function addPasskeySlot(
  file: VaultFile,
  dataKey: Uint8Array,
  passkey: NewPasskeySlot,
  random: RandomBytes = defaultRandom,
): Promise<VaultFile> {
  const before = decryptContents(file, dataKey);
  const { passkeys } = vaultUnlockMethods(file);
  if (passkeys.some((p) => p.credentialId === passkey.credentialId)) {
    throw new ClientError('BAD_INPUT', 'This passkey already opens the wallet.');
  }
  const salt = passkeys[0]?.salt;
  if (salt !== undefined && salt !== toHex(passkey.salt)) {
    throw new ClientError('BAD_INPUT', "a new passkey must be evaluated on the PRF salt of the wallet's other passkeys");
  }
  if (file.slots.length >= MAX_KEY_SLOTS) {
    throw new ClientError('BAD_INPUT', `A wallet opens in at most ${MAX_KEY_SLOTS} ways; this one has them all.`);
  }
  const next = await addKeySlot(file, dataKey, { kind: 'prf', ...passkey }, random);
  const reopened = await openVault(next, { kind: 'prf', prfOutput: passkey.prfOutput, credentialId: passkey.credentialId });
  // Programmer error if it fires: the slot just made must give back the same key and the same accounts.
  if (toHex(reopened.dataKey) !== toHex(dataKey) || reopened.contents.accounts.length !== before.accounts.length) {
    throw new Error('the new passkey slot does not open the vault it was added to');
  }
  return next;
}

/** The slot kinds a vault opens with, for the unlock screen; the passkey credential ids for `allowCredentials`. */
export function vaultUnlockMethods(file: VaultFile): { passkeys: { credentialId: string; salt: string }[]; passphrase: boolean } {
  const passkeys: { credentialId: string; salt: string }[] = [];
  for (const slot of file.slots) if (slot.kdf.type === 'prf') passkeys.push({ credentialId: slot.kdf.credentialId, salt: slot.kdf.salt });
  return { passkeys, passphrase: file.slots.some((slot) => slot.kdf.type === 'scrypt') };
}

/** A backup file (JSON text): the accounts under a passphrase alone, so a fresh browser restores them without the passkey. */
export async function exportBackup(
  contents: VaultContents,
  passphrase: string,
  options: { scrypt?: ScryptParams; random?: RandomBytes } = {},
): Promise<string> {
  const { file } = await createVault(
    contents,
    { kind: 'passphrase', passphrase, scrypt: options.scrypt },
    { random: options.random, format: 'arc-backup' },
  );
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The accounts of a backup file; a foreign or damaged file is BACKUP_INVALID, a wrong passphrase WRONG_PASSPHRASE. */
export async function importBackup(text: string, passphrase: string): Promise<VaultContents> {
  const file = parseVaultFile(text, 'arc-backup');
  return (await openVault(file, { kind: 'passphrase', passphrase })).contents;
}

/** The 24-word BIP-39 (English) recovery phrase of an account's 32-byte ed25519 seed. */
export function recoveryPhrase(secretKey: string | Uint8Array): string {
  const seed = typeof secretKey === 'string' ? fromHex(secretKey) : secretKey;
  if (seed.length !== 32) throw new ClientError('BAD_INPUT', `a secret key is 32 bytes, not ${seed.length}`);
  return entropyToMnemonic(seed, english);
}

/** The account (Wallet) of a 24-word recovery phrase; spaces and case do not matter, a wrong word or checksum is BACKUP_INVALID. */
export function walletFromPhrase(phrase: string): Wallet {
  const words = phrase.trim().toLowerCase().split(/\s+/);
  if (words.length !== 24) throw invalid(`a recovery phrase is 24 words, not ${words.length}`);
  const unknown = words.find((word) => !english.includes(word));
  if (unknown !== undefined) throw invalid(`"${unknown}" is not a word of the recovery list; check its spelling`);
  const normalized = words.join(' ');
  if (!validateMnemonic(normalized, english)) throw invalid('the recovery phrase does not check out (a word is wrong or out of place)');
  return Wallet.fromSecretKey(mnemonicToEntropy(normalized, english));
}
