import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CliError } from './errors.ts';

/** The environment variables the CLI reads, parsed once; nothing else reads process.env. */
const EnvSchema = z.object({
  ARC_NODE_URL: z.string().min(1).optional(),
  ARC_KEY_FILE: z.string().min(1).optional(),
  /** The web app, for the links commands print (a published component's page). */
  ARC_WEB_URL: z
    .string()
    .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'ARC_WEB_URL must be http:// or https://')
    .optional(),
  HOME: z.string().optional(),
});

export interface CliEnv {
  nodeUrl: string;
  keyFile: string;
  home: string;
  webUrl: string;
}

export const DEFAULT_NODE_URL = 'http://127.0.0.1:8080';
export const DEFAULT_WEB_URL = 'http://127.0.0.1:3000';

/** Defaults for --node and --key from the environment. */
export function parseEnv(source: Record<string, string | undefined>): CliEnv {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) throw new CliError('USAGE', `bad environment: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const home = parsed.data.HOME ?? homedir();
  return {
    nodeUrl: parsed.data.ARC_NODE_URL ?? DEFAULT_NODE_URL,
    keyFile: parsed.data.ARC_KEY_FILE ?? join(home, '.arc', 'key.json'),
    home,
    webUrl: (parsed.data.ARC_WEB_URL ?? DEFAULT_WEB_URL).replace(/\/+$/, ''),
  };
}
