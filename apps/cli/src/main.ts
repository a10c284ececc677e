import { run } from './cli.ts';

// The `arc` entry point (bin/arc.mjs imports this): real argv, stdout, stderr and environment.
process.exitCode = await run(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
});
