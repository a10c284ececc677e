import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fromHex, type KeyPair, keyPairFromSeed, toHex } from '@arc/core';
import { z } from 'zod';

const NodeKeyFile = z.object({ secretKey: z.string().regex(/^[0-9a-f]{64}$/, '32 bytes of lower-case hex') });

/** Reads the node's signing key, or creates one (mode 0600) on first start. */
export async function loadOrCreateNodeKey(path: string): Promise<KeyPair> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const key = keyPairFromSeed(new Uint8Array(randomBytes(32)));
    await mkdir(dirname(path), { recursive: true });
    // Written aside and renamed: a start killed halfway must not leave an empty key file behind.
    const staging = `${path}.${process.pid}.tmp`;
    await writeFile(staging, `${JSON.stringify({ secretKey: toHex(key.secretKey) })}\n`, { mode: 0o600 });
    await rename(staging, path);
    return key;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON (${(error as Error).message}); restore it from a backup or remove it to make a new node key`);
  }
  const parsed = NodeKeyFile.safeParse(json);
  if (!parsed.success) throw new Error(`${path} is not a node key file: ${parsed.error.issues[0]?.message}`);
  return keyPairFromSeed(fromHex(parsed.data.secretKey));
}
