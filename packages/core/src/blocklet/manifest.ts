import { sha256 } from '@noble/hashes/sha2.js';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { isValidDid } from '../did/did.ts';
import { BLOCKLET_NAME, SEMVER } from '../ledger/limits.ts';

/** The range of a route's own rate limit (`interfaces.http[].rateLimit`), the same as the operator's settings. */
export const ROUTE_RATE_LIMITS = { perSecMin: 0.01, perSecMax: 1_000_000, burstMax: 1_000_000 } as const;

/** Bounds of a manifest: sizes of lists and fields, and the ceilings of a blocklet's limits. */
export const MANIFEST_LIMITS = {
  textBytesMax: 64 * 1024,
  routesMax: 64,
  triggersMax: 32,
  hostsMax: 32,
  topicsMax: 64,
  envMax: 64,
  keysMax: 8,
  beneficiariesMax: 4,
  cpuMsMax: 30_000,
  memoryMbMax: 512,
  timeoutMsMax: 300_000,
} as const;

/** What a blocklet gets when its manifest sets no limits. */
export const DEFAULT_BLOCKLET_LIMITS = { cpuMs: 100, memoryMb: 64, timeoutMs: 10_000 } as const;

const name = z.string().regex(BLOCKLET_NAME, 'a name is 2–64 lower-case letters, digits or dashes, starting with a letter');
const text = (max: number) => z.string().max(max);
const topic = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9:._*-]+$/, 'a topic is letters, digits and : . _ - (and * as a wildcard)');
/**
 * A topic in permissions and topic triggers: a concrete topic, or a pattern whose only wildcard is a final `:*`
 * segment (the gateway's grammar; `*` alone, or a `*` inside a segment, would match topics no one may grant).
 */
const permissionTopic = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[a-zA-Z0-9._@-][a-zA-Z0-9:._@-]*(:\*)?$/,
    'a topic is letters, digits and : . _ - @, optionally ending in :* as a wildcard (e.g. chat:* or app:<did>:orders); `*` alone or inside a segment is not accepted',
  );

/** Topic families only the node writes: a blocklet can never be granted to publish on them. */
const NODE_WRITTEN_FAMILIES = ['chain:', 'account:', 'blocklet:'] as const;
/** Topic families private to someone else: a blocklet can never be granted to hear them. */
const PRIVATE_FAMILIES = ['blocklet:', 'inbox:'] as const;

const publishTopic = permissionTopic.refine(
  (t) => !NODE_WRITTEN_FAMILIES.some((family) => t.startsWith(family)),
  'chain:, account: and blocklet: topics are written by the node only; a blocklet cannot be granted to publish on them',
);
const subscribeTopic = permissionTopic.refine(
  (t) => !PRIVATE_FAMILIES.some((family) => t.startsWith(family)),
  "inbox: and blocklet: topics are private to their DID or blocklet owner (another blocklet's logs, someone's notifications); a blocklet cannot be granted to hear them",
);
const envName = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'an environment name is UPPER_SNAKE_CASE');

/** What a key of `permissions.keys` signs with: ed25519 (ledger approvals, DIDs) or secp256k1 (Ethereum). */
export const BLOCKLET_KEY_SCHEMES = ['ed25519', 'secp256k1'] as const;
export type BlockletKeyScheme = (typeof BLOCKLET_KEY_SCHEMES)[number];

const handler = z.string().regex(/^[a-zA-Z_$][a-zA-Z0-9_$]{0,63}$/, 'a handler is the name of an exported function');
const cronField = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const cron = z.string().refine((s) => {
  const fields = s.trim().split(/\s+/);
  return fields.length === 5 && fields.every((f) => cronField.test(f));
}, 'a schedule is 5 cron fields: minute hour day-of-month month day-of-week, e.g. "*/5 * * * *"');
const chainName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a chain is a name this node knows, such as arc, mock or ethereum');
const host = z
  .string()
  .max(253)
  .regex(/^[a-zA-Z0-9.-]+(:\d{1,5})?$/, 'a host is a name with an optional :port, e.g. api.example.com or 127.0.0.1:8080');
const did = z.string().refine(isValidDid, 'not a valid did:abt: DID');
const amount = z.union([z.string().regex(/^\d{1,40}$/), z.number().int().nonnegative()]).transform((v) => String(v));

const Trigger = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('cron'), schedule: cron, handler: handler.default('cron') }),
  z.strictObject({
    type: z.literal('chain'),
    chain: chainName,
    confirmations: z.number().int().min(1).max(128).default(1),
    filter: z
      .strictObject({
        addresses: z.array(z.string().max(128)).max(32).optional(),
        kinds: z
          .array(z.enum(['transfer', 'tokenTransfer', 'assetTransfer', 'log']))
          .max(4)
          .optional(),
      })
      .default({}),
    handler: handler.default('event'),
  }),
  z.strictObject({ type: z.literal('topic'), topic: subscribeTopic, handler: handler.default('topic') }),
]);

/** The blocklet manifest (blocklet.yml or blocklet.json). */
export const BlockletManifestSchema = z
  .strictObject({
    name,
    version: z.string().max(64).regex(SEMVER, 'a version is semver, e.g. 1.0.0'),
    title: text(80).min(1),
    description: text(2000).default(''),
    author: did,
    entry: z.string().min(1).max(256).default('index.js'),
    interfaces: z
      .strictObject({
        http: z
          .array(
            z.strictObject({
              path: z
                .string()
                .max(256)
                .regex(/^\/[^\s?#]*$/, 'a route path starts with / (e.g. /price or /items/*)'),
              methods: z
                .array(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']))
                .min(1)
                .default(['GET']),
              /** `required`: only callers with a gateway session or API key (`authorization: Bearer <token>`) reach it. */
              auth: z.enum(['none', 'required']).default('none'),
              /**
               * `true`: the route may answer HTML, SVG or XML that runs scripts on the node's origin, if the node's
               * operator allows it too (BLOCKLET_ACTIVE_CONTENT=allow); otherwise its answers are sandboxed by CSP.
               */
              activeContent: z.boolean().default(false),
              /**
               * Requests per second (and burst) one caller may make to this route, on top of the node operator's
               * limit for all blocklet routes (BLOCKLET_HTTP_RATE_PER_SEC): a route can be stricter than the node,
               * never looser. Absent: only the operator's limit applies.
               */
              rateLimit: z
                .strictObject({
                  perSec: z.number().min(ROUTE_RATE_LIMITS.perSecMin).max(ROUTE_RATE_LIMITS.perSecMax),
                  burst: z.number().int().min(1).max(ROUTE_RATE_LIMITS.burstMax),
                })
                .optional(),
            }),
          )
          .max(MANIFEST_LIMITS.routesMax)
          .default([]),
        topics: z.array(topic).max(MANIFEST_LIMITS.topicsMax).default([]),
      })
      .default({ http: [], topics: [] }),
    triggers: z.array(Trigger).max(MANIFEST_LIMITS.triggersMax).default([]),
    permissions: z
      .strictObject({
        chains: z
          .array(
            z.strictObject({
              chain: chainName,
              /** The highest OCAP level allowed: 1 (chain basics), 2 (state: tokens, assets, events), 3 (native calls). */
              level: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
              send: z.boolean().default(false),
            }),
          )
          .max(16)
          .default([]),
        hosts: z.array(host).max(MANIFEST_LIMITS.hostsMax).default([]),
        topics: z
          .strictObject({
            publish: z.array(publishTopic).max(MANIFEST_LIMITS.topicsMax).default([]),
            subscribe: z.array(subscribeTopic).max(MANIFEST_LIMITS.topicsMax).default([]),
          })
          .default({ publish: [], subscribe: [] }),
        ledger: z.strictObject({ submit: z.boolean().default(false) }).default({ submit: false }),
        /**
         * Keys the node holds for the blocklet and signs with on its behalf (`ctx.keys`): the secret is the secure
         * environment variable of the same name, set by the operator, and never handed to the blocklet's code.
         */
        keys: z
          .array(z.strictObject({ name: envName, scheme: z.enum(BLOCKLET_KEY_SCHEMES) }))
          .max(MANIFEST_LIMITS.keysMax)
          .refine((keys) => new Set(keys.map((k) => k.name)).size === keys.length, 'each key is listed once')
          .default([]),
      })
      .default({ chains: [], hosts: [], topics: { publish: [], subscribe: [] }, ledger: { submit: false }, keys: [] }),
    environment: z
      .array(
        z.strictObject({
          name: envName,
          description: text(500).default(''),
          required: z.boolean().default(false),
          secure: z.boolean().default(false),
          default: z.string().max(4096).optional(),
        }),
      )
      .max(MANIFEST_LIMITS.envMax)
      .default([]),
    limits: z
      .strictObject({
        cpuMs: z.number().int().min(1).max(MANIFEST_LIMITS.cpuMsMax).default(DEFAULT_BLOCKLET_LIMITS.cpuMs),
        memoryMb: z.number().int().min(8).max(MANIFEST_LIMITS.memoryMbMax).default(DEFAULT_BLOCKLET_LIMITS.memoryMb),
        timeoutMs: z.number().int().min(10).max(MANIFEST_LIMITS.timeoutMsMax).default(DEFAULT_BLOCKLET_LIMITS.timeoutMs),
      })
      .default({ ...DEFAULT_BLOCKLET_LIMITS }),
    payment: z
      .strictObject({
        /** Price per invocation in the smallest unit of ABT. */
        price: amount.default('0'),
        beneficiaries: z
          .array(z.strictObject({ did, shareBps: z.number().int().min(1).max(10_000) }))
          .max(MANIFEST_LIMITS.beneficiariesMax)
          .refine(
            (list) => list.length === 0 || list.reduce((sum, b) => sum + b.shareBps, 0) === 10_000,
            'beneficiary shares must add up to 10000 basis points',
          )
          .default([]),
      })
      .default({ price: '0', beneficiaries: [] }),
  })
  .superRefine((manifest, ctx) => {
    // A key's secret is an environment variable the code never reads: declaring it under environment would hand it over.
    const declared = new Set(manifest.environment.map((e) => e.name));
    manifest.permissions.keys.forEach((key, i) => {
      if (declared.has(key.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['permissions', 'keys', i, 'name'],
          message: `${key.name} is also under environment, which would hand the key to the code; list it only under permissions.keys`,
        });
      }
    });
  });

export type BlockletManifest = z.output<typeof BlockletManifestSchema>;
export type BlockletTrigger = BlockletManifest['triggers'][number];

/** One problem in a manifest, with where it is (1-based line and column; 0 when the document has no such place). */
export interface ManifestIssue {
  path: string;
  line: number;
  column: number;
  message: string;
}

/** A manifest that does not parse or does not fit the schema. */
export class ManifestError extends Error {
  override name = 'ManifestError';
  readonly code = 'MANIFEST_INVALID';
  constructor(
    readonly file: string,
    readonly issues: ManifestIssue[],
  ) {
    super(
      `${file} is not a valid blocklet manifest:\n${issues.map((i) => `  ${file}:${i.line}:${i.column} ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    );
  }
}

/**
 * Parses blocklet.yml or blocklet.json (YAML is a superset of JSON, so one parser gives line numbers for both)
 * and checks it against the schema. Throws ManifestError listing every problem with its line and column.
 */
export function parseManifest(source: string, file = 'blocklet.yml'): BlockletManifest {
  if (source.length > MANIFEST_LIMITS.textBytesMax) {
    throw new ManifestError(file, [
      { path: '', line: 1, column: 1, message: `a manifest is at most ${MANIFEST_LIMITS.textBytesMax} bytes` },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return { line: 0, column: 0 };
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    throw new ManifestError(
      file,
      doc.errors.map((e) => ({ path: '', ...at(e.pos[0]), message: e.message.split('\n')[0] ?? e.message })),
    );
  }
  let json: unknown;
  try {
    json = doc.toJS({ maxAliasCount: 0 });
  } catch (error) {
    // Aliases are refused (they are how YAML "billion laughs" documents grow without end).
    throw new ManifestError(file, [{ path: '', line: 1, column: 1, message: `the document cannot be read: ${(error as Error).message}` }]);
  }
  const result = BlockletManifestSchema.safeParse(json);
  if (result.success) return result.data;
  throw new ManifestError(
    file,
    result.error.issues.map((issue) => {
      // The deepest node of the path that exists: the field itself, or the object missing it.
      let node: unknown;
      for (let depth = issue.path.length; depth >= 0 && !node; depth -= 1) {
        node = depth === 0 ? doc.contents : doc.getIn(issue.path.slice(0, depth) as (string | number)[], true);
      }
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      return { path: issue.path.join('.'), ...at(range?.[0]), message: issue.message };
    }),
  );
}

/** The canonical JSON of a manifest (sorted keys, no spaces): what manifestHash commits to. */
export function canonicalManifestJson(manifest: BlockletManifest): string {
  return canonicalJson(manifest);
}

/** JSON with object keys sorted and no spaces, so the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  return canonical(value);
}

function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** sha-256 of the canonical manifest JSON. */
export function manifestHash(manifest: BlockletManifest): Uint8Array {
  return sha256(new TextEncoder().encode(canonicalManifestJson(manifest)));
}
