import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { BLOCKLET_NAME } from '@arc/core';
import { z } from 'zod';
import { parseInput } from '../args.ts';
import { type AliasName, blockletApi } from '../blocklet/api.ts';
import { aliasLine, deployProject } from '../blocklet/deploy.ts';
import { formatLogLine, LOG_POLL_MS, LogTail, sleep } from '../blocklet/follow.ts';
import { TEMPLATES, templateFiles } from '../blocklet/templates.ts';
import type { Command } from '../command.ts';
import { CliError, usage } from '../errors.ts';
import { blockletDevCommands } from './blocklet-dev.ts';

const name = z.string().regex(BLOCKLET_NAME, 'a blocklet name is 2–64 lower-case letters, digits or dashes, starting with a letter');
const nameArg = (usageLine: string) => z.tuple([name], { error: `give the blocklet's name: ${usageLine}` });
/** Lines per page of `arc blocklet logs` (the node's page bound). */
const LOG_LINES_MAX = 500;

/** "10%", "10" or "2.5%" as basis points. */
export const percentBps = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,2})?%?$/, 'a share is a percentage such as 10% or 2.5%')
  .transform((s) => Math.round(Number.parseFloat(s) * 100))
  .refine((bps) => bps <= 10_000, 'a share is at most 100%');

const InitInput = z.object({
  positional: z.tuple([z.string().min(1)], { error: 'give the folder to create: arc blocklet init DIR' }),
  name: name.optional(),
  template: z.enum(TEMPLATES, { error: `a template is one of: ${TEMPLATES.join(', ')}` }).default('http'),
});

const blockletInit: Command = {
  name: 'blocklet init',
  args: 'DIR [--name NAME] [--template http|cron|oracle|chain-event]',
  summary: 'start a blocklet project: blocklet.yml, index.ts, types.d.ts and a README',
  details: [
    "NAME defaults to the folder name; the author is your key's DID. DIR must be missing or empty.",
    'Templates: http (routes /hello and /visits), cron (a counter ticking every minute), oracle (fetches a price',
    'from an allow-listed host on a schedule), chain-event (reacts to transfers on a chain). The project needs no',
    'install: the node bundles the TypeScript.',
  ].join('\n'),
  options: ['name', 'template'],
  positionalsMax: 1,
  async run(ctx, positionals, values) {
    const input = parseInput(InitInput, { ...values, positional: positionals });
    const dir = resolve(input.positional[0]);
    const blockletName = input.name ?? basename(dir);
    if (!BLOCKLET_NAME.test(blockletName)) {
      throw usage(`"${blockletName}" cannot be a blocklet name (2–64 lower-case letters, digits or dashes); pass --name`);
    }
    let entries: string[] = [];
    try {
      entries = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (entries.length > 0) throw new CliError('DIR_NOT_EMPTY', `${dir} is not empty; pick a new folder so nothing is overwritten`);
    const wallet = await ctx.wallet();
    const files = templateFiles({ name: blockletName, author: wallet.did, template: input.template });
    await mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text, { flag: 'wx' });
    ctx.result({ dir, name: blockletName, template: input.template, author: wallet.did, files: Object.keys(files) }, [
      ['created', dir],
      ['blocklet', `${blockletName} (${input.template} template)`],
      ['author', wallet.did],
      ['files', Object.keys(files).join(', ')],
      ['next', `arc blocklet dev ${dir}   (or: arc blocklet deploy ${dir})`],
    ]);
  },
};

const DeployInput = z
  .object({
    positional: z.tuple([z.string().min(1)]).or(z.tuple([])),
    alias: z.enum(['live', 'canary'], { error: 'an alias is live or canary' }).default('live'),
    'canary-share': percentBps.optional(),
  })
  .refine((input) => input['canary-share'] === undefined || input.alias === 'canary', {
    path: ['canary-share'],
    message: 'a share applies to --alias canary only',
  });

const blockletDeploy: Command = {
  name: 'blocklet deploy',
  args: '[DIR] [--alias live|canary] [--canary-share 10%]',
  summary: 'upload, sign and deploy the blocklet in DIR (default .), then move an alias to it',
  details: [
    'Reads the manifest and the source files (skipping node_modules, .git and dotfiles), uploads them (the node',
    'bundles them), signs a deployBlocklet transaction with your key, and waits until the node has committed it,',
    'warmed the new version and moved the alias (default live; --alias canary takes --canary-share of traffic,',
    'default 10%). The first deployer of a name owns it; every deploy needs a new version.',
  ].join('\n'),
  options: ['alias', 'canary-share'],
  positionalsMax: 1,
  async run(ctx, positionals, values) {
    const input = parseInput(DeployInput, { ...values, positional: positionals });
    const dir = resolve(input.positional[0] ?? '.');
    const progress = (line: string) => {
      if (!ctx.globals.json) ctx.io.out(line);
    };
    const options = { alias: input.alias as AliasName, canaryShareBps: input['canary-share'] ?? 1000 };
    const deployed = await deployProject(ctx, blockletApi(ctx), dir, options, progress);
    const url = `${ctx.globals.nodeUrl}/b/${deployed.version.name}/`;
    ctx.result({ ...deployed, url }, [['url', url]]);
  },
};

const ListInput = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, '--limit is a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 100, 'a page is 1 to 100 blocklets')
    .default(20),
});

const blockletList: Command = {
  name: 'blocklet list',
  args: '[--limit N]',
  summary: 'the blocklets deployed on the node, with their live version and owner',
  options: ['limit'],
  positionalsMax: 0,
  async run(ctx, _positionals, values) {
    const input = parseInput(ListInput, values);
    const items = await blockletApi(ctx).list({ limit: input.limit });
    const width = Math.max(4, ...items.map((b) => b.name.length));
    const lines: [string, string][] = items.map((b) => {
      const live = b.aliases.find((a) => a.alias === 'live')?.version ?? '-';
      return ['', `${b.name.padEnd(width)}  live ${live.padEnd(12)} latest ${b.latest.version.padEnd(12)} ${b.owner}`];
    });
    if (lines.length === 0) lines.push(['', 'no blocklets on this node yet; deploy one with "arc blocklet deploy"']);
    if (items.length === input.limit) lines.push(['', `(the first ${input.limit}; pass --limit for more)`]);
    ctx.result(items, lines);
  },
};

const LogsInput = z.object({
  positional: nameArg('arc blocklet logs NAME'),
  follow: z.boolean().default(false),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, '--limit is a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= LOG_LINES_MAX, `--limit is 1 to ${LOG_LINES_MAX} lines`)
    .default(50),
});

const blockletLogs: Command = {
  name: 'blocklet logs',
  args: 'NAME [--follow] [--limit N]',
  summary: "a blocklet's latest log lines (owner only); --follow keeps printing new ones",
  details: `Prints the last N lines (default 50, at most ${LOG_LINES_MAX}) oldest first; --follow then asks every second for new lines until Ctrl-C. The request is signed with your key: only the owner reads the logs.`,
  options: ['follow', 'limit'],
  positionalsMax: 1,
  async run(ctx, positionals, values) {
    const input = parseInput(LogsInput, { ...values, positional: positionals });
    const [blocklet] = input.positional;
    const api = blockletApi(ctx);
    const page = await api.logs(blocklet, { limit: input.limit });
    const print = (lines: typeof page.items) => {
      for (const line of lines) ctx.io.out(ctx.globals.json ? JSON.stringify(line) : formatLogLine(line));
    };
    if (!input.follow) {
      if (ctx.globals.json) ctx.result(page, []);
      else if (page.items.length === 0) ctx.io.out(`no log lines from ${blocklet} yet`);
      else print([...page.items].reverse());
      return;
    }
    print([...page.items].reverse());
    const tail = new LogTail(api, blocklet);
    tail.startAfter(page.items[0]?.id ?? null);
    while (!ctx.io.signal?.aborted) {
      await sleep(LOG_POLL_MS, ctx.io.signal);
      if (ctx.io.signal?.aborted) break;
      print(await tail.poll());
    }
  },
};

const RollbackInput = z.object({
  positional: nameArg('arc blocklet rollback NAME [--to VERSION]'),
  to: z.string().min(1).max(64).optional(),
});

const blockletRollback: Command = {
  name: 'blocklet rollback',
  args: 'NAME [--to VERSION]',
  summary: 'point live at an earlier version: VERSION, or the one deployed before the current live one',
  details: 'Versions are never deleted, so a rollback is instant: the node moves the live alias (signed with your key, owner only).',
  options: ['to'],
  positionalsMax: 1,
  async run(ctx, positionals, values) {
    const input = parseInput(RollbackInput, { ...values, positional: positionals });
    const [blocklet] = input.positional;
    const api = blockletApi(ctx);
    const detail = await api.get(blocklet);
    const ordered = [...detail.versions].sort((a, b) => a.height - b.height || a.deployedAtMs - b.deployedAtMs);
    const live = detail.aliases.find((a) => a.alias === 'live')?.version ?? null;
    let target: string;
    if (input.to !== undefined) {
      if (!ordered.some((v) => v.version === input.to)) {
        throw new CliError('NOT_FOUND', `${blocklet} has no version ${input.to}; it has ${ordered.map((v) => v.version).join(', ')}`);
      }
      target = input.to;
    } else {
      const index = ordered.findIndex((v) => v.version === live);
      const previous = index > 0 ? ordered[index - 1] : undefined;
      if (previous === undefined) {
        throw new CliError('NOT_FOUND', `${blocklet} has no version deployed before ${live ?? 'its live one'}; pass --to VERSION`);
      }
      target = previous.version;
    }
    await api.setAlias(blocklet, { alias: 'live', version: target, shareBps: 10_000 });
    ctx.result({ name: blocklet, alias: 'live', version: target, previous: live }, [
      ['', `${aliasLine({ alias: 'live', version: target, shareBps: 10_000 })} (was ${live ?? 'none'})`],
    ]);
  },
};

const envKey = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'an environment name is UPPER_SNAKE_CASE');
const EnvSetInput = z.object({
  positional: z.tuple([name, envKey, z.string().max(4096, 'a value is at most 4096 characters')], {
    error: 'usage: arc blocklet env set NAME KEY VALUE [--secure]',
  }),
  secure: z.boolean().default(false),
});

const blockletEnvSet: Command = {
  name: 'blocklet env set',
  args: 'NAME KEY VALUE [--secure]',
  summary: 'set an environment variable of a blocklet (ctx.env); --secure values are stored encrypted and never shown',
  options: ['secure'],
  positionalsMax: 3,
  async run(ctx, positionals, values) {
    const input = parseInput(EnvSetInput, { ...values, positional: positionals });
    const [blocklet, key, value] = input.positional;
    const api = blockletApi(ctx);
    await api.setEnv(blocklet, { key, value, secure: input.secure });
    const lines: [string, string][] = [['', `${blocklet}: ${key} set${input.secure ? ' (secure)' : ''}`]];
    // The runtime hands a blocklet only the variables its manifest declares; say so rather than let it look lost.
    const { manifest } = await api.get(blocklet);
    const declared = (manifest as { environment?: { name: string }[] } | null)?.environment ?? [];
    if (!declared.some((e) => e.name === key)) {
      lines.push([
        'note',
        `${key} is not declared in the live manifest's environment, so ctx.env will not show it until a version declares it`,
      ]);
    }
    ctx.result({ name: blocklet, key, secure: input.secure, declared: lines.length === 1 }, lines);
  },
};

const EnvUnsetInput = z.object({ positional: z.tuple([name, envKey], { error: 'usage: arc blocklet env unset NAME KEY' }) });

const blockletEnvUnset: Command = {
  name: 'blocklet env unset',
  args: 'NAME KEY',
  summary: 'remove an environment variable of a blocklet',
  options: [],
  positionalsMax: 2,
  async run(ctx, positionals) {
    const [blocklet, key] = parseInput(EnvUnsetInput, { positional: positionals }).positional;
    await blockletApi(ctx).setEnv(blocklet, { key, value: null, secure: false });
    ctx.result({ name: blocklet, key }, [['', `${blocklet}: ${key} removed`]]);
  },
};

const EnvListInput = z.object({ positional: nameArg('arc blocklet env list NAME') });

const blockletEnvList: Command = {
  name: 'blocklet env list',
  args: 'NAME',
  summary: "a blocklet's environment variables (secure values hidden)",
  options: [],
  positionalsMax: 1,
  async run(ctx, positionals) {
    const [blocklet] = parseInput(EnvListInput, { positional: positionals }).positional;
    const entries = await blockletApi(ctx).listEnv(blocklet);
    const lines: [string, string][] = entries.map((e) => [e.key, e.secure ? '(secure)' : (e.value ?? '')]);
    if (lines.length === 0) lines.push(['', `${blocklet} has no environment variables`]);
    ctx.result(entries, lines);
  },
};

const jsonText = z.string().transform((text, check) => {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    check.addIssue({ code: 'custom', message: `not JSON (${(error as Error).message})` });
    return z.NEVER;
  }
});

const InvokeInput = z.object({
  positional: nameArg('arc blocklet invoke NAME [--handler call] [--input JSON]'),
  handler: z
    .string()
    .regex(/^[a-zA-Z_$][a-zA-Z0-9_$]{0,63}$/, 'a handler is the name of an exported function')
    .default('call'),
  input: jsonText.optional(),
});

const blockletInvoke: Command = {
  name: 'blocklet invoke',
  args: 'NAME [--handler call] [--input JSON]',
  summary: "run a handler of a blocklet's live version with a JSON input and print its output",
  options: ['handler', 'input'],
  positionalsMax: 1,
  async run(ctx, positionals, values) {
    const input = parseInput(InvokeInput, { ...values, positional: positionals });
    const [blocklet] = input.positional;
    const result = await blockletApi(ctx).invoke({
      name: blocklet,
      handler: input.handler,
      target: 'live',
      ...(input.input === undefined ? {} : { input: input.input }),
    });
    ctx.result(result, [
      ['version', result.version],
      ['invocation', result.invocationId],
      ['usage', `${result.usage.cpuMs.toFixed(1)} ms CPU, ${result.usage.wallMs.toFixed(1)} ms wall`],
      ['output', JSON.stringify(result.output, null, 2) ?? 'undefined'],
    ]);
  },
};

export const blockletCommands: Command[] = [
  blockletInit,
  blockletDeploy,
  ...blockletDevCommands,
  blockletList,
  blockletLogs,
  blockletRollback,
  blockletInvoke,
  blockletEnvSet,
  blockletEnvUnset,
  blockletEnvList,
];
