import { describe, expect, it } from 'vitest';
import { ClientError } from './errors.ts';
import {
  addKeySlot,
  addPasskeySlot,
  createVault,
  exportBackup,
  importBackup,
  openVault,
  parseVaultFile,
  recoveryPhrase,
  SCRYPT_DEFAULTS,
  sealVault,
  type VaultContents,
  vaultUnlockMethods,
  walletFromPhrase,
} from './keystore.ts';
import { Wallet } from './wallet.ts';

// Small scrypt costs keep the tests fast; the defaults are checked once below.
const cheap = { N: 2 ** 4, r: 1, p: 1 };
const passphrase = (value: string) => ({ kind: 'passphrase', passphrase: value, scrypt: cheap }) as const;

function contentsOf(...wallets: Wallet[]): VaultContents {
  return { accounts: wallets.map((wallet, i) => ({ did: wallet.did, label: `Account ${i + 1}`, secretKey: wallet.secretKeyHex })) };
}

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    return (error as ClientError).code;
  }
  throw new Error('expected a ClientError');
}

const prfOutput = new Uint8Array(32).fill(9);
const prfSalt = new Uint8Array(32).fill(3);

describe('the keystore', () => {
  it('documents a slow scrypt by default (N = 2^17, r = 8, p = 1)', () => {
    expect(SCRYPT_DEFAULTS).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  it('opens a passphrase vault with its passphrase and keeps no secret in clear', async () => {
    const alice = Wallet.generate();
    const { file } = await createVault(contentsOf(alice), passphrase('correct horse'));
    const stored = JSON.stringify(file);
    expect(stored).not.toContain(alice.secretKeyHex);
    expect(stored).not.toContain('correct horse');
    const opened = await openVault(parseVaultFile(stored), { kind: 'passphrase', passphrase: 'correct horse' });
    expect(opened.contents.accounts[0]?.did).toBe(alice.did);
    expect(Wallet.fromSecretKey(opened.contents.accounts[0]?.secretKey ?? '').did).toBe(alice.did);
  });

  it('refuses a wrong passphrase with WRONG_PASSPHRASE', async () => {
    const { file } = await createVault(contentsOf(Wallet.generate()), passphrase('right'));
    expect(await codeOf(openVault(file, { kind: 'passphrase', passphrase: 'wrong' }))).toBe('WRONG_PASSPHRASE');
  });

  it("opens a passkey vault with the passkey's PRF output and refuses another passkey's", async () => {
    const alice = Wallet.generate();
    const { file } = await createVault(contentsOf(alice), { kind: 'prf', prfOutput, credentialId: 'cred-1', salt: prfSalt });
    expect(vaultUnlockMethods(file)).toEqual({ passkeys: [{ credentialId: 'cred-1', salt: '03'.repeat(32) }], passphrase: false });
    const opened = await openVault(file, { kind: 'prf', prfOutput });
    expect(opened.contents.accounts.map((a) => a.did)).toEqual([alice.did]);
    expect(await codeOf(openVault(file, { kind: 'prf', prfOutput: new Uint8Array(32).fill(8) }))).toBe('WRONG_PASSPHRASE');
    expect(await codeOf(openVault(file, { kind: 'passphrase', passphrase: 'x' }))).toBe('BAD_INPUT');
  });

  it('keeps its slots when accounts change, and opens with a passphrase added beside the passkey', async () => {
    const alice = Wallet.generate();
    const bob = Wallet.generate();
    const created = await createVault(contentsOf(alice), { kind: 'prf', prfOutput, credentialId: 'cred-1', salt: prfSalt });
    const resealed = sealVault(created.file, created.dataKey, contentsOf(alice, bob));
    const withPassphrase = await addKeySlot(resealed, created.dataKey, passphrase('spare'));
    expect(vaultUnlockMethods(withPassphrase).passphrase).toBe(true);
    for (const secret of [{ kind: 'prf', prfOutput } as const, { kind: 'passphrase', passphrase: 'spare' } as const]) {
      const opened = await openVault(withPassphrase, secret);
      expect(opened.contents.accounts.map((a) => a.did)).toEqual([alice.did, bob.did]);
    }
  });

  it('adds a passkey to a passphrase vault: both open the same keys, a wrong passphrase still fails', async () => {
    const alice = Wallet.generate();
    const bob = Wallet.generate();
    const created = await createVault(contentsOf(alice, bob), passphrase('correct horse'));
    // The wallet is unlocked with its passphrase, then a passkey is registered and its PRF evaluated on a new salt.
    const unlocked = await openVault(created.file, { kind: 'passphrase', passphrase: 'correct horse' });
    const withPasskey = await addPasskeySlot(created.file, unlocked.dataKey, { credentialId: 'cred-new', salt: prfSalt, prfOutput });
    expect(vaultUnlockMethods(withPasskey)).toEqual({ passkeys: [{ credentialId: 'cred-new', salt: '03'.repeat(32) }], passphrase: true });
    expect(withPasskey.ciphertext).toBe(created.file.ciphertext);

    const byPasskey = await openVault(parseVaultFile(JSON.stringify(withPasskey)), { kind: 'prf', prfOutput, credentialId: 'cred-new' });
    const byPassphrase = await openVault(withPasskey, { kind: 'passphrase', passphrase: 'correct horse' });
    expect(byPasskey.contents).toEqual(byPassphrase.contents);
    expect(byPasskey.contents.accounts.map((a) => a.did)).toEqual([alice.did, bob.did]);
    expect(byPasskey.dataKey).toEqual(byPassphrase.dataKey);
    expect(await codeOf(openVault(withPasskey, { kind: 'passphrase', passphrase: 'correct hose' }))).toBe('WRONG_PASSPHRASE');
    expect(await codeOf(openVault(withPasskey, { kind: 'prf', prfOutput: new Uint8Array(32).fill(8) }))).toBe('WRONG_PASSPHRASE');
  });

  it("refuses to add a passkey with a key that is not the vault's, the same passkey twice, or a second PRF salt", async () => {
    const created = await createVault(contentsOf(Wallet.generate()), passphrase('pw'));
    const passkey = { credentialId: 'cred-1', salt: prfSalt, prfOutput };
    expect(await codeOf(addPasskeySlot(created.file, new Uint8Array(32).fill(1), passkey))).toBe('BACKUP_INVALID');
    const once = await addPasskeySlot(created.file, created.dataKey, passkey);
    expect(await codeOf(addPasskeySlot(once, created.dataKey, passkey))).toBe('BAD_INPUT');
    const other = { credentialId: 'cred-2', salt: new Uint8Array(32).fill(4), prfOutput: new Uint8Array(32).fill(5) };
    expect(await codeOf(addPasskeySlot(once, created.dataKey, other))).toBe('BAD_INPUT');
    const twice = await addPasskeySlot(once, created.dataKey, { ...other, salt: prfSalt });
    expect((await openVault(twice, { kind: 'prf', prfOutput: other.prfOutput })).dataKey).toEqual(created.dataKey);
  });

  it('refuses corrupt, foreign and tampered files with BACKUP_INVALID', async () => {
    const { file } = await createVault(contentsOf(Wallet.generate()), passphrase('pw'));
    expect(await codeOf(() => parseVaultFile('not json'))).toBe('BACKUP_INVALID');
    expect(await codeOf(() => parseVaultFile({ hello: 'world' }))).toBe('BACKUP_INVALID');
    expect(await codeOf(() => parseVaultFile({ ...file, version: 2 }))).toBe('BACKUP_INVALID');
    expect(await codeOf(() => parseVaultFile(file, 'arc-backup'))).toBe('BACKUP_INVALID');
    // A flipped bit in the accounts fails authentication.
    const flipped = `${file.ciphertext.slice(0, -2)}${file.ciphertext.endsWith('00') ? '01' : '00'}`;
    expect(await codeOf(openVault({ ...file, ciphertext: flipped }, { kind: 'passphrase', passphrase: 'pw' }))).toBe('BACKUP_INVALID');
    // Cheaper KDF parameters swapped in do not open it (they are authenticated with the slot).
    const [slot] = file.slots;
    if (slot?.kdf.type !== 'scrypt') throw new Error('expected a scrypt slot');
    const cheaper = { ...file, slots: [{ ...slot, kdf: { ...slot.kdf, N: 2 ** 2 } }] };
    expect(await codeOf(openVault(cheaper, { kind: 'passphrase', passphrase: 'pw' }))).toBe('WRONG_PASSPHRASE');
    // A file asking for an absurd cost is refused before any work.
    expect(await codeOf(() => parseVaultFile({ ...file, slots: [{ ...slot, kdf: { ...slot.kdf, N: 2 ** 30 } }] }))).toBe('BACKUP_INVALID');
  });

  it('refuses contents whose DID does not belong to its key', async () => {
    const alice = Wallet.generate();
    const bob = Wallet.generate();
    const mixed = { accounts: [{ did: bob.did, label: 'Bob', secretKey: alice.secretKeyHex }] };
    expect(await codeOf(createVault(mixed, passphrase('pw')))).toBe('BACKUP_INVALID');
  });

  it('exports a backup file that a fresh browser imports with the passphrase alone', async () => {
    const alice = Wallet.generate();
    const text = await exportBackup(contentsOf(alice), 'backup pw', { scrypt: cheap });
    expect(JSON.parse(text).format).toBe('arc-backup');
    expect(text).not.toContain(alice.secretKeyHex);
    expect((await importBackup(text, 'backup pw')).accounts[0]?.did).toBe(alice.did);
    expect(await codeOf(importBackup(text, 'other'))).toBe('WRONG_PASSPHRASE');
    expect(await codeOf(importBackup('{"format":"something-else"}', 'backup pw'))).toBe('BACKUP_INVALID');
  });

  it('turns a seed into 24 recovery words and back', () => {
    const alice = Wallet.generate();
    const phrase = recoveryPhrase(alice.secretKeyHex);
    expect(phrase.split(' ')).toHaveLength(24);
    expect(walletFromPhrase(`  ${phrase.toUpperCase().replaceAll(' ', '\n ')} `).did).toBe(alice.did);
    // The BIP-39 test vector for an all-zero entropy.
    expect(recoveryPhrase(new Uint8Array(32))).toBe(`${'abandon '.repeat(23)}art`);
  });

  it('refuses a phrase with a wrong word, a wrong length or a bad checksum with BACKUP_INVALID', async () => {
    const words = recoveryPhrase(new Uint8Array(32)).split(' ');
    expect(await codeOf(() => walletFromPhrase(words.slice(0, 12).join(' ')))).toBe('BACKUP_INVALID');
    expect(await codeOf(() => walletFromPhrase([...words.slice(0, 23), 'notaword'].join(' ')))).toBe('BACKUP_INVALID');
    expect(await codeOf(() => walletFromPhrase([...words.slice(0, 23), 'abandon'].join(' ')))).toBe('BACKUP_INVALID');
  });
});
