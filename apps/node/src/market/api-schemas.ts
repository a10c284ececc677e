import { z } from 'zod';

/**
 * The marketplace's procedures: inputs and outputs (the contract the web app, the CLI and the client read).
 * Amounts are decimal strings in the smallest unit, hashes lower-case hex, times epoch milliseconds, ratings
 * numbers (stars 1–5, averages to two decimals).
 */
const hex32 = z.string().regex(/^[0-9a-f]{64}$/, '32 bytes as lower-case hex');
const amount = z.string();
const did = z.string();
export const ComponentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}[a-z0-9]$/, 'a component name is 2–64 lower-case letters, digits or dashes, a letter first');
export const ComponentKindIn = z.enum(['adapter', 'blocklet', 'component', 'application']);
export const SortIn = z.enum(['relevance', 'rank', 'used', 'newest', 'rated']);

/** Bounds of the market's inputs. */
export const MARKET_LIMITS = {
  queryChars: 200,
  pageMax: 50,
  /** A README or a review body stored by hash. */
  readmeBytesMax: 64 * 1024,
  reviewBytesMax: 4 * 1024,
  suggestionsMax: 8,
} as const;

export const SearchIn = z.strictObject({
  q: z.string().max(MARKET_LIMITS.queryChars).default(''),
  kind: ComponentKindIn.optional(),
  category: z.string().max(40).optional(),
  price: z.enum(['free', 'paid']).optional(),
  chain: z.string().max(40).optional(),
  minRating: z.number().min(1).max(5).optional(),
  verified: z.boolean().optional(),
  /** Default: relevance with a query, rank without. */
  sort: SortIn.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(MARKET_LIMITS.pageMax).default(20),
});

export const PriceOut = z.object({ model: z.enum(['free', 'perMonth', 'perCall']), amount });

/** A component in a list: enough for a card. */
export const ComponentCardOut = z.object({
  name: z.string(),
  kind: ComponentKindIn,
  description: z.string(),
  latestVersion: z.string(),
  owner: did,
  ownerMoniker: z.string(),
  /** The owner has a verified publisher mark (reputation above the documented bar). */
  verifiedPublisher: z.boolean(),
  categories: z.array(z.string()),
  chains: z.array(z.string()),
  price: PriceOut,
  ratingAverage: z.number().nullable(),
  ratingCount: z.number(),
  /** Calls over the last 30 days. */
  calls30d: z.number(),
  installs: z.number(),
  rankScore: z.number(),
  publishedAtMs: z.number(),
  updatedAtMs: z.number(),
  deprecated: z.boolean(),
});

export const SearchOut = z.object({
  items: z.array(ComponentCardOut),
  nextCursor: z.string().nullable(),
  /** Matches in all (bounded count). */
  total: z.number(),
  /**
   * The query the items are for when the words typed matched nothing and the nearest catalogue words did (each
   * unknown word replaced by its nearest by trigram similarity: "oracel" → "oracle"); null otherwise.
   */
  correctedQuery: z.string().nullable(),
  /** With no hit: the nearest names by trigram similarity. */
  didYouMean: z.array(z.string()),
});

export const SuggestIn = z.strictObject({ q: z.string().max(MARKET_LIMITS.queryChars) });
export const SuggestOut = z.array(z.object({ name: z.string(), kind: ComponentKindIn, description: z.string() }));

export const FacetsOut = z.object({
  kinds: z.array(z.object({ kind: ComponentKindIn, count: z.number() })),
  categories: z.array(z.object({ category: z.string(), count: z.number() })),
  chains: z.array(z.object({ chain: z.string(), count: z.number() })),
});

export const VersionOut = z.object({
  version: z.string(),
  releaseNotes: z.string(),
  manifestHash: hex32,
  bundleHash: hex32,
  readmeHash: hex32,
  publishedBy: did,
  publishedAtMs: z.number(),
  height: z.number(),
  txHash: z.string(),
  status: z.enum(['active', 'deprecated', 'yanked']),
  statusReason: z.string(),
});

/** "Why this rank": each part of the score with its inputs, so a reader can redo the sum. */
export const RankPartOut = z.object({
  part: z.enum(['rating', 'usage', 'recency', 'reputation', 'reports']),
  /** Contribution to the score (reports is negative or 0). */
  points: z.number(),
  weight: z.number(),
  /** One sentence with the inputs, e.g. "Bayesian average 4.31 from 12 verified reviews (prior 3.5 × 5)". */
  explanation: z.string(),
});

export const RankOut = z.object({
  score: z.number(),
  /** 1-based position among all listed components. */
  position: z.number(),
  of: z.number(),
  parts: z.array(RankPartOut),
  computedAtMs: z.number(),
});

export const PermissionOut = z.object({
  /** e.g. "ledger:send", "fetch:api.example.com", "topic:publish:prices". */
  capability: z.string(),
  /** Plain words: "may send ABT from its own account". */
  words: z.string(),
  risk: z.enum(['low', 'medium', 'high']),
});

export const ConformanceOut = z.object({
  chain: z.string(),
  passed: z.number(),
  failed: z.number(),
  skipped: z.number(),
  /** Capability → supported. */
  capabilities: z.record(z.string(), z.boolean()),
  checkedAtMs: z.number(),
});

export const ComponentOut = ComponentCardOut.extend({
  /** The README text (markdown, unsanitized: the page sanitizes it); null if the node has not got the text. */
  readme: z.string().nullable(),
  readmeHash: hex32,
  versions: z.array(VersionOut),
  permissions: z.array(PermissionOut),
  conformance: ConformanceOut.nullable(),
  /** Daily calls and installs over the last 30 days, oldest first, zero-filled. */
  usage30d: z.array(z.object({ day: z.string(), calls: z.number(), installs: z.number() })),
  /** Count of visible verified reviews by stars, index 0 = 1 star. */
  ratingDistribution: z.array(z.number()).length(5),
  beneficiaries: z.array(z.object({ did, moniker: z.string(), shareBps: z.number() })),
  stake: amount,
  rank: RankOut,
  author: z.object({
    did,
    moniker: z.string(),
    reputation: z.number(),
    verifiedPublisher: z.boolean(),
    components: z.number(),
    /** The publisher's bonded stake and the service level it backs (economy/service-level.ts). */
    stake: z.object({ bonded: z.string(), slashable: z.string(), serviceLevel: z.enum(['mission-critical', 'staked', 'none']) }),
  }),
  /** For adapters: the node configuration snippet to copy. */
  configSnippet: z.string().nullable(),
  /** A blocklet or application can be installed into an application. */
  installable: z.boolean(),
});

export const ComponentIn = z.strictObject({ name: ComponentName });

export const ReviewsIn = z.strictObject({
  name: ComponentName,
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(MARKET_LIMITS.pageMax).default(10),
});

export const ReviewOut = z.object({
  reviewer: did,
  reviewerMoniker: z.string(),
  stars: z.number(),
  /** null when the node does not hold the text for textHash. */
  text: z.string().nullable(),
  textHash: hex32,
  revision: z.number(),
  createdAtMs: z.number(),
  updatedAtMs: z.number(),
  /** What the reviewer's verified use was: e.g. "1,204 calls from 2 applications" or "paid 12 ABT". */
  verifiedUse: z.string(),
  /** The weight this review carries in the rating (0 when hidden). */
  weight: z.number(),
  hidden: z.boolean(),
  reply: z.object({ text: z.string().nullable(), textHash: hex32, atMs: z.number() }).nullable(),
  txHash: z.string(),
});

export const ReviewsOut = z.object({ items: z.array(ReviewOut), nextCursor: z.string().nullable(), total: z.number() });

export const DeveloperIn = z.strictObject({ did });
export const DeveloperOut = z.object({
  did,
  moniker: z.string(),
  reputation: z.number(),
  verifiedPublisher: z.boolean(),
  /** Each input of the reputation with its points, like the rank's parts. */
  parts: z.array(z.object({ part: z.string(), points: z.number(), explanation: z.string() })),
  firstSeenAtMs: z.number().nullable(),
  stake: amount,
  components: z.array(ComponentCardOut),
});

/** Stores a text (README, review body, reply) by its sha-256, before the transaction that names the hash. */
export const PutTextIn = z.strictObject({
  text: z.string().max(MARKET_LIMITS.readmeBytesMax),
  purpose: z.enum(['readme', 'review', 'reply', 'evidence']),
});
export const PutTextOut = z.object({ hash: hex32, bytes: z.number() });

/** Whether an account may review a component, and why not. */
export const UseIn = z.strictObject({ name: ComponentName, account: did });
export const UseOut = z.object({
  verified: z.boolean(),
  calls: z.number(),
  installs: z.number(),
  paid: amount,
  /** When not verified: what to do ("install it into an application and call it once"). */
  reason: z.string(),
  /** Your current review, if any (to edit). */
  review: ReviewOut.nullable(),
});

/**
 * Installs a blocklet or application component into an application: the application owner signs `auth`
 * (signAdmin op `install`, name = component, params `{ application, version, env }`) and the deployBlocklet
 * transaction for the installed blocklet (named by installName()).
 */
export const InstallIn = z.strictObject({
  name: ComponentName,
  version: z.string().max(64),
  application: did,
  /** The component manifest's environment form, filled in. */
  env: z.record(z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/), z.string().max(4096)).default({}),
  tx: z
    .string()
    .regex(/^[0-9a-f]+$/)
    .max(64 * 1024),
  auth: z.strictObject({
    publicKey: z.string().regex(/^[0-9a-f]{64}$/),
    timeMs: z.number().int().nonnegative(),
    signature: z.string().regex(/^[0-9a-f]{128}$/),
  }),
});
export const InstallOut = z.object({
  /** The blocklet name the component runs under in this application, served at /b/<blocklet>/. */
  blocklet: z.string(),
  version: z.string(),
  application: did,
  txHash: z.string(),
});

export const InstallsIn = z.strictObject({ application: did });
export const InstallsOut = z.array(
  z.object({ component: z.string(), version: z.string(), blocklet: z.string(), installedAtMs: z.number(), calls: z.number() }),
);

/** What an install deploys, so the application owner can sign the deployBlocklet transaction (added by market). */
export const InstallPlanIn = z.strictObject({ name: ComponentName, version: z.string().max(64), application: did });
export const InstallPlanOut = z.object({
  blocklet: z.string(),
  version: z.string(),
  /** The application's owner: the one who signs the transaction and the auth. */
  owner: did,
  manifestHash: hex32,
  bundleHash: hex32,
});
