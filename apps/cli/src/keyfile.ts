import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ClientError, Wallet } from '@arc/client';
import { CliError } from './errors.ts';

/** Key files are tiny; anything bigger is not one, and reading it whole would be silly. */
const KEY_FILE_BYTES_MAX = 4096;

/** Expands a leading ~ (shells do, but not inside quotes or from env files) and makes the path absolute. */
export function expandPath(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return resolve(path);
}

function hasCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/** Reads a wallet from a key file, with a clear error when it is missing or damaged. */
export async function readKeyFile(path: string): Promise<Wallet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) {
      throw new CliError('KEY_FILE_MISSING', `no key file at ${path}; run "arc keys new" or pass --key FILE`);
    }
    if (hasCode(error, 'EACCES') || hasCode(error, 'EISDIR')) throw new CliError('KEY_FILE_INVALID', `cannot read ${path}`);
    throw error;
  }
  if (text.length > KEY_FILE_BYTES_MAX) throw new CliError('KEY_FILE_INVALID', `${path} is too large to be a key file`);
  try {
    return Wallet.fromJSON(JSON.parse(text));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof ClientError) {
      throw new CliError('KEY_FILE_INVALID', `${path} is not an arc key file: ${error.message}`);
    }
    throw error;
  }
}

/** Writes a key file readable only by its owner; refuses to replace one unless forced. */
export async function writeKeyFile(path: string, wallet: Wallet, force: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails if the file exists, so two runs can never silently replace a key.
    await writeFile(path, `${JSON.stringify(wallet.toJSON(), null, 2)}\n`, { mode: 0o600, flag: force ? 'w' : 'wx' });
  } catch (error) {
    if (hasCode(error, 'EEXIST')) {
      throw new CliError('KEY_FILE_EXISTS', `${path} already exists; pass --force to replace it (its key will be lost)`);
    }
    throw error;
  }
}
