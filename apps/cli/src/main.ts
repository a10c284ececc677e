import { installNodeCrypto } from '@arc/core/node-crypto';
import { run } from './cli.ts';

// Native hashing and signatures (the same results as core's default, many times faster): `node verify` replays every
// transaction's signatures and the state's trie, and signing commands hash.
installNodeCrypto();

// Ctrl-C stops a long-running command cleanly (it finishes its step and exits 0); a second Ctrl-C kills it.
const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort());

// The `arc` entry point (bin/arc.mjs imports this): real argv, stdout, stderr and environment.
process.exitCode = await run(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  signal: interrupted.signal,
  ...(process.stderr.isTTY
    ? { status: (text: string | null) => process.stderr.write(text === null ? '\r\x1b[2K' : `\r\x1b[2K${text}`) }
    : {}),
});
