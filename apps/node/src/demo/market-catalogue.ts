import type { BlockletTemplateName, ComponentKind, ComponentPrice } from '@arc/core';
import type { COMPONENT_NAMES } from '../runtime/components/index.ts';

/**
 * What the demo publishes to the marketplace on a fresh dev chain: the node's built-in blocklets, its adapters, the
 * blocklet templates, two example applications and a catalogue of components that fills the categories. Each entry
 * is published through real transactions (seedMarket in market-seed.ts), its README rendered by marketReadme.
 */

/** The accounts of the demo marketplace beyond alice, bob and carol; keys from `arc-demo:<name>` (public on purpose). */
export const DEMO_PUBLISHERS = ['northwind', 'ledgerlabs', 'pixelforge', 'hushbox', 'idworks'] as const;
export const DEMO_USERS = ['dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'] as const;
export type DemoName = 'alice' | 'bob' | 'carol' | (typeof DEMO_PUBLISHERS)[number] | (typeof DEMO_USERS)[number];

/** How a name reads on the pages (declareAccount's moniker). */
export const DEMO_MONIKERS: Record<(typeof DEMO_PUBLISHERS)[number] | (typeof DEMO_USERS)[number], string> = {
  northwind: 'Northwind Oracles',
  ledgerlabs: 'Ledger Labs',
  pixelforge: 'Pixelforge',
  hushbox: 'Hushbox',
  idworks: 'ID Works',
  dave: 'dave',
  erin: 'erin',
  frank: 'frank',
  grace: 'grace',
  heidi: 'heidi',
  ivan: 'ivan',
  judy: 'judy',
};

/** Where a component's code comes from. */
export type CatalogueSource =
  | { type: 'builtin'; folder: (typeof COMPONENT_NAMES)[number] }
  | { type: 'template'; template: BlockletTemplateName }
  /** A small kv-backed HTTP service over one collection (`GET/POST /<noun>`, `call({op})`): see serviceFiles. */
  | { type: 'service'; noun: string; fields: string[] }
  | { type: 'adapter'; adapter: 'mock' | 'arc' | 'ethereum' | 'bitcoin' };

export interface CatalogueEntry {
  name: string;
  kind: ComponentKind;
  title: string;
  /** One line (≤ 200 bytes): lists and search. */
  description: string;
  categories: string[];
  chains: string[];
  price: ComponentPrice;
  publisher: DemoName;
  /** Oldest first; the last is the latest. */
  versions: { version: string; notes: string }[];
  deprecated?: { version: string; reason: string };
  source: CatalogueSource;
  /** The README's opening paragraphs. */
  intro: string;
  /** The README's example, and its language. */
  example: { lang: 'ts' | 'sh' | 'json' | 'yaml'; code: string };
  /** 0..1: how many demo users use it and how much; drives usage and the number of reviews (2 to 6). */
  popularity: number;
}

const ABT = 10n ** 18n;
const FREE: ComponentPrice = { model: 'free', amount: 0n };
const perCall = (milliAbt: bigint): ComponentPrice => ({ model: 'perCall', amount: (milliAbt * ABT) / 1000n });
const perMonth = (abt: bigint): ComponentPrice => ({ model: 'perMonth', amount: abt * ABT });
const v1 = [{ version: '1.0.0', notes: 'First release.' }];

const curl = (name: string, path: string, body?: string) =>
  body === undefined
    ? `curl http://127.0.0.1:8080/b/${name}${path}`
    : `curl -X POST http://127.0.0.1:8080/b/${name}${path} \\\n  -H 'content-type: application/json' \\\n  -d '${body}'`;

function service(
  name: string,
  noun: string,
  fields: string[],
  rest: Omit<CatalogueEntry, 'name' | 'source' | 'example' | 'kind'> & { kind?: ComponentKind },
): CatalogueEntry {
  const sample = Object.fromEntries(fields.map((f) => [f, `example ${f}`]));
  return {
    kind: 'blocklet',
    ...rest,
    name,
    source: { type: 'service', noun, fields },
    example: { lang: 'sh', code: `${curl(name, `/${noun}`, JSON.stringify(sample))}\n${curl(name, `/${noun}?limit=10`)}` },
  };
}

export const CATALOGUE: CatalogueEntry[] = [
  // The node's built-in blocklets (apps/node/src/runtime/components), live at /b/<name>/ on a dev node.
  {
    name: 'identity',
    kind: 'blocklet',
    title: 'DID profiles',
    description: 'Profiles for DIDs: a name, an avatar and links per DID, read over HTTP and written by call().',
    categories: ['identity'],
    chains: ['arc'],
    price: FREE,
    publisher: 'alice',
    versions: v1,
    source: { type: 'builtin', folder: 'identity' },
    intro: 'Keeps one profile per DID in the blocklet’s key-value store and pages through them newest first.',
    example: { lang: 'sh', code: curl('identity', '/profiles?limit=20') },
    popularity: 0.9,
  },
  {
    name: 'token',
    kind: 'blocklet',
    title: 'Token balances and airdrops',
    description: 'Reads token balances over OCAP and airdrops an application token from the blocklet’s own account.',
    categories: ['tokens', 'payments'],
    chains: ['arc'],
    price: FREE,
    publisher: 'alice',
    versions: v1,
    source: { type: 'builtin', folder: 'token' },
    intro: 'Answers balances of any token for any owner, and sends an airdrop from the blocklet’s DID (fund it first).',
    example: { lang: 'ts', code: "await blocklet.invoke({ name: 'token', handler: 'call', input: { op: 'balance', token, owner } });" },
    popularity: 0.7,
  },
  {
    name: 'messaging',
    kind: 'blocklet',
    title: 'Chat rooms',
    description: 'Rooms of messages: POST a message, it is published to the chat:<room> topic and kept (newest 100).',
    categories: ['messaging'],
    chains: [],
    price: FREE,
    publisher: 'alice',
    versions: v1,
    source: { type: 'builtin', folder: 'messaging' },
    intro: 'A room is a topic: browsers subscribed to `chat:<room>` through the gateway see each message as it is posted.',
    example: { lang: 'sh', code: curl('messaging', '/rooms/lobby/messages', '{"from":"did:abt:…","text":"hello"}') },
    popularity: 0.8,
  },
  {
    name: 'notification',
    kind: 'blocklet',
    title: 'Inbox notifications',
    description: 'A per-DID inbox: notifications published to inbox:<did>, kept (newest 200) and marked read.',
    categories: ['messaging', 'notifications'],
    chains: [],
    price: FREE,
    publisher: 'alice',
    versions: v1,
    source: { type: 'builtin', folder: 'notification' },
    intro: 'Send a title and a body to a DID; its wallet or app gets it live on `inbox:<did>` and can list the unread ones.',
    example: { lang: 'sh', code: curl('notification', '/inbox/did:abt:z1…', '{"title":"Paid","body":"12 ABT received"}') },
    popularity: 0.6,
  },
  {
    name: 'oracle',
    kind: 'blocklet',
    title: 'ABT-USD price oracle',
    description: 'Fetches the ABT price every minute and anchors it on the ledger as an asset other blocklets can read.',
    categories: ['oracles', 'defi'],
    chains: ['arc'],
    price: FREE,
    publisher: 'alice',
    versions: v1,
    source: { type: 'builtin', folder: 'oracle' },
    intro: 'Set `PRICE_URL` to a JSON price source on an allowed host; the quote lands in the asset `price:ABT-USD`.',
    example: {
      lang: 'sh',
      code: 'arc blocklet env set oracle PRICE_URL http://127.0.0.1:9000/price\ncurl http://127.0.0.1:8080/b/oracle/price',
    },
    popularity: 1,
  },
  // The adapters the node ships (packages/adapters), with the conformance suite's results.
  ...(
    [
      ['mock', 'Mock chain adapter', 'An in-memory chain with every OCAP capability: tests and demos without a node.', ['mock'], 0.5],
      ['arc', 'Arc native adapter', 'The platform’s own ledger through OCAP: accounts, tokens, assets and events.', ['arc'], 0.9],
      ['ethereum', 'Ethereum adapter', 'Ethereum and EVM chains over JSON-RPC (ethers): ETH, ERC-20, ERC-721 and logs.', ['ethereum'], 0.8],
      [
        'bitcoin',
        'Bitcoin adapter',
        'Bitcoin Core over JSON-RPC: UTXO balances, transfers and a resumable event stream.',
        ['bitcoin'],
        0.6,
      ],
    ] as const
  ).map(
    ([adapter, title, description, chains, popularity]): CatalogueEntry => ({
      name: `adapter-${adapter}`,
      kind: 'adapter',
      title,
      description,
      categories: ['adapters', 'chains'],
      chains: [...chains],
      price: FREE,
      publisher: 'bob',
      versions: [
        { version: '0.9.0', notes: 'Preview: level 1 only.' },
        { version: '1.0.0', notes: 'Levels 1 and 2; passes the conformance suite.' },
      ],
      source: { type: 'adapter', adapter },
      intro: `${description} Configure it in the node's chains file; blocklets then reach the chain through \`ctx.ocap\`.`,
      example: {
        lang: 'json',
        code: JSON.stringify({ chains: [{ name: adapter, adapter: adapter === 'arc' ? 'native' : adapter }] }, null, 2),
      },
      popularity,
    }),
  ),
  // The blocklet templates (packages/core/src/blocklet/templates.ts), as starter components.
  ...(
    [
      ['http', 'HTTP API starter', 'A blocklet with routes /hello and /visits and a counter in its state: the place to start.', 0.7],
      ['cron', 'Scheduled job starter', 'A blocklet that ticks every minute and serves its count: cron triggers in ten lines.', 0.4],
      ['oracle', 'Price oracle starter', 'Fetches a price from an allow-listed host every 5 minutes and serves it at /price.', 0.5],
      ['chain-event', 'Chain events starter', 'Reacts to transfers on a chain and keeps the latest 50 at /events.', 0.4],
    ] as const
  ).map(
    ([template, title, description, popularity]): CatalogueEntry => ({
      name: `template-${template}`,
      kind: 'component',
      title,
      description,
      categories: ['templates', 'developer-tools'],
      chains: template === 'chain-event' ? ['mock'] : [],
      price: FREE,
      publisher: 'alice',
      versions: v1,
      source: { type: 'template', template },
      intro: `${description} The same files \`arc blocklet init --template ${template}\` writes.`,
      example: { lang: 'sh', code: `arc blocklet init my-${template} --template ${template}\narc blocklet deploy my-${template}` },
      popularity,
    }),
  ),
  // Two example applications.
  service('event-tickets', 'tickets', ['event', 'seat', 'holder'], {
    kind: 'application',
    title: 'Event tickets',
    description: 'A ticketing application: issue seats as tickets, check them in at the door, list who holds what.',
    categories: ['applications', 'nfts'],
    chains: ['arc'],
    price: perMonth(20n),
    publisher: 'carol',
    versions: [
      { version: '1.0.0', notes: 'Issue and list tickets.' },
      { version: '1.1.0', notes: 'Check-in at the door.' },
    ],
    intro: 'Everything a small venue needs: tickets per seat, the holder’s DID, and a check-in list that works offline.',
    popularity: 0.6,
  }),
  service('loyalty-points', 'points', ['member', 'points', 'reason'], {
    kind: 'application',
    title: 'Loyalty points',
    description: 'A loyalty programme for a shop: award points per purchase, redeem them, show each member’s balance.',
    categories: ['applications', 'payments'],
    chains: ['arc'],
    price: perMonth(10n),
    publisher: 'carol',
    versions: v1,
    intro: 'Points are entries per member; a balance is their sum. Pair it with the `token` blocklet to pay out in a token.',
    popularity: 0.5,
  }),
  // Components that fill the categories.
  service('price-median-oracle', 'quotes', ['pair', 'price', 'source'], {
    title: 'Median price oracle',
    description: 'Medianises quotes from several exchanges per pair, so one bad source cannot move the price.',
    categories: ['oracles', 'defi'],
    chains: ['arc', 'ethereum'],
    price: perCall(2n),
    publisher: 'northwind',
    versions: [
      { version: '1.0.0', notes: 'Median of three sources.' },
      { version: '1.1.0', notes: 'Rounds to 8 decimals instead of cents.' },
      { version: '1.2.0', notes: 'Any number of sources; stale quotes dropped after 5 minutes.' },
    ],
    deprecated: { version: '1.0.0', reason: 'Rounded prices to cents; upgrade to 1.2.0.' },
    intro: 'Post quotes from your sources; read the median per pair. Quotes older than five minutes are ignored.',
    popularity: 0.95,
  }),
  service('weather-oracle', 'readings', ['station', 'celsius', 'rain'], {
    title: 'Weather oracle',
    description: 'Weather readings per station for crop insurance and event contracts, signed by the reporting station.',
    categories: ['oracles', 'insurance'],
    chains: ['arc'],
    price: perCall(1n),
    publisher: 'northwind',
    versions: v1,
    intro: 'Stations post readings; contracts read the latest per station and settle on thresholds (rain in mm, °C).',
    popularity: 0.45,
  }),
  service('sports-results-oracle', 'results', ['match', 'home', 'away'], {
    title: 'Sports results oracle',
    description: 'Final scores of matches, posted once by an approved reporter and never changed after.',
    categories: ['oracles'],
    chains: ['arc'],
    price: perCall(1n),
    publisher: 'northwind',
    versions: v1,
    intro: 'One result per match id; a second post for the same match is refused, so settlements read a fixed score.',
    popularity: 0.3,
  }),
  service('kyc-attestations', 'attestations', ['subject', 'level', 'issuer'], {
    title: 'KYC attestations',
    description: 'Attestations that a DID passed a KYC level, issued by a provider, without any personal data on chain.',
    categories: ['identity', 'compliance'],
    chains: ['arc'],
    price: perCall(5n),
    publisher: 'idworks',
    versions: v1,
    intro: 'A provider checks the person off-chain and posts only the DID, the level and itself as issuer.',
    popularity: 0.55,
  }),
  service('social-recovery', 'guardians', ['account', 'guardian', 'weight'], {
    title: 'Social recovery',
    description: 'Name guardians for an account; enough of them together can move it to a new key.',
    categories: ['identity', 'security'],
    chains: ['arc'],
    price: FREE,
    publisher: 'idworks',
    versions: [
      { version: '1.0.0', notes: 'Guardians and weights.' },
      { version: '2.0.0', notes: 'Weights instead of a flat count; a threshold per account.' },
    ],
    intro: 'Guardians are DIDs with a weight; recovery succeeds when the weights of those who approved reach the threshold.',
    popularity: 0.4,
  }),
  service('did-login-button', 'sessions', ['did', 'origin', 'expires'], {
    title: 'Sign in with DID',
    description: 'A sign-in button for any site: a signed challenge from the user’s wallet opens a session.',
    categories: ['identity', 'developer-tools'],
    chains: ['arc'],
    price: FREE,
    publisher: 'idworks',
    versions: v1,
    intro: 'The wallet signs a challenge naming your origin; the blocklet checks it and records the session.',
    popularity: 0.75,
  }),
  service('invoice-payments', 'invoices', ['payer', 'amount', 'memo'], {
    title: 'Invoices',
    description: 'Issue invoices in ABT, share a payment link, and see them marked paid when the transfer commits.',
    categories: ['payments'],
    chains: ['arc'],
    price: perMonth(5n),
    publisher: 'ledgerlabs',
    versions: [
      { version: '1.0.0', notes: 'Invoices and payment links.' },
      { version: '1.1.0', notes: 'Partial payments.' },
    ],
    intro: 'Each invoice gets a memo; a transfer carrying that memo marks it paid, in full or in part.',
    popularity: 0.7,
  }),
  service('subscription-billing', 'subscriptions', ['subscriber', 'plan', 'period'], {
    title: 'Subscription billing',
    description: 'Monthly plans charged through fee delegation: the subscriber grants an allowance once.',
    categories: ['payments'],
    chains: ['arc'],
    price: perMonth(15n),
    publisher: 'ledgerlabs',
    versions: v1,
    intro: 'A subscriber delegates an allowance; the blocklet charges each period and stops when the grant ends.',
    popularity: 0.5,
  }),
  service('payment-splitter', 'splits', ['payee', 'share', 'note'], {
    title: 'Payment splitter',
    description: 'Splits incoming ABT between payees by shares, like the marketplace’s own revenue splits.',
    categories: ['payments', 'defi'],
    chains: ['arc'],
    price: FREE,
    publisher: 'ledgerlabs',
    versions: v1,
    intro: 'Shares are basis points that add up to 10,000; each payment is divided and sent on in one transaction.',
    popularity: 0.45,
  }),
  service('tip-jar', 'tips', ['from', 'amount', 'message'], {
    title: 'Tip jar',
    description: 'A tip jar for creators: a link, a thank-you message and a public wall of supporters.',
    categories: ['payments', 'social'],
    chains: ['arc'],
    price: FREE,
    publisher: 'pixelforge',
    versions: v1,
    intro: 'Embed the link; tips arrive as transfers with a memo and show on the wall with their message.',
    popularity: 0.35,
  }),
  service('ipfs-pinning', 'pins', ['cid', 'name', 'size'], {
    title: 'IPFS pinning',
    description: 'Pins content by CID on the operator’s IPFS nodes, billed per month, with a list of what is pinned.',
    categories: ['storage'],
    chains: [],
    price: perMonth(8n),
    publisher: 'hushbox',
    versions: v1,
    intro: 'Post a CID and a name; the blocklet asks the pinning service and keeps the list with sizes.',
    popularity: 0.5,
  }),
  service('encrypted-vault', 'secrets', ['owner', 'label', 'ciphertext'], {
    title: 'Encrypted vault',
    description: 'Stores ciphertext per DID; only the owner’s wallet holds the key, the node never sees plain text.',
    categories: ['storage', 'security'],
    chains: [],
    price: perCall(1n),
    publisher: 'hushbox',
    versions: v1,
    intro: 'Encrypt in the browser with the wallet’s key, post the ciphertext, read it back on any device.',
    popularity: 0.4,
  }),
  service('file-receipts', 'receipts', ['file', 'sha256', 'owner'], {
    title: 'File receipts',
    description: 'Proof that a file existed: its sha-256 anchored on the ledger with a time and an owner.',
    categories: ['storage', 'compliance'],
    chains: ['arc'],
    price: perCall(1n),
    publisher: 'hushbox',
    versions: v1,
    intro: 'Only the hash leaves your machine; anyone with the file can later check the receipt.',
    popularity: 0.3,
  }),
  service('webhook-relay', 'hooks', ['topic', 'url', 'secret'], {
    title: 'Webhook relay',
    description: 'Forwards gateway topics to your HTTPS endpoints as signed webhooks, with retries.',
    categories: ['messaging', 'developer-tools'],
    chains: [],
    price: FREE,
    publisher: 'hushbox',
    versions: v1,
    intro: 'Subscribe a URL to a topic; each message is posted with an HMAC signature header you can verify.',
    popularity: 0.55,
  }),
  service('email-bridge', 'emails', ['to', 'subject', 'body'], {
    title: 'Email bridge',
    description: 'Sends notifications as email through the operator’s SMTP relay, with a per-DID opt-in.',
    categories: ['messaging', 'notifications'],
    chains: [],
    price: perCall(1n),
    publisher: 'hushbox',
    versions: v1,
    intro: 'Users opt in with their address once; applications then notify a DID and the bridge sends the mail.',
    popularity: 0.35,
  }),
  service('nft-minter', 'mints', ['collection', 'owner', 'uri'], {
    title: 'NFT minter',
    description: 'Mints assets in a collection with metadata URIs, on the Arc ledger or an ERC-721 contract.',
    categories: ['nfts'],
    chains: ['arc', 'ethereum'],
    price: perCall(3n),
    publisher: 'pixelforge',
    versions: [
      { version: '1.0.0', notes: 'Arc assets.' },
      { version: '1.1.0', notes: 'ERC-721 through the Ethereum adapter.' },
    ],
    intro: 'One call per mint; the blocklet keeps the collection’s index so a gallery can page through it.',
    popularity: 0.65,
  }),
  service('nft-gallery', 'items', ['collection', 'asset', 'title'], {
    title: 'NFT gallery',
    description: 'A public gallery of a collection’s assets with owners and history, ready to embed.',
    categories: ['nfts', 'social'],
    chains: ['arc', 'ethereum'],
    price: FREE,
    publisher: 'pixelforge',
    versions: v1,
    intro: 'Point it at a collection; it lists assets with their current owner, newest first.',
    popularity: 0.5,
  }),
  service('ticket-checkin', 'checkins', ['ticket', 'gate', 'at'], {
    title: 'Ticket check-in',
    description: 'Scans ticket assets at the gate, consumes them on chain so a ticket enters only once.',
    categories: ['nfts', 'events'],
    chains: ['arc'],
    price: perCall(1n),
    publisher: 'pixelforge',
    versions: v1,
    intro: 'The gate posts the ticket’s asset address; the blocklet consumes the asset, so a second scan is refused.',
    popularity: 0.3,
  }),
  service('gas-price-tracker', 'samples', ['chain', 'gwei', 'block'], {
    title: 'Gas price tracker',
    description: 'Samples gas prices per block on EVM chains and serves percentiles for the last hour.',
    categories: ['analytics', 'defi'],
    chains: ['ethereum'],
    price: FREE,
    publisher: 'northwind',
    versions: v1,
    intro: 'A cron trigger samples each new block; GET answers the 10th, 50th and 90th percentiles.',
    popularity: 0.45,
  }),
  service('btc-address-watcher', 'watches', ['address', 'label', 'confirmations'], {
    title: 'Bitcoin address watcher',
    description: 'Watches Bitcoin addresses and notifies a DID when coins arrive, after N confirmations.',
    categories: ['analytics', 'notifications'],
    chains: ['bitcoin'],
    price: FREE,
    publisher: 'northwind',
    versions: v1,
    intro: 'Uses the Bitcoin adapter’s event stream; reorgs retract a notification that was too early.',
    popularity: 0.3,
  }),
  service('dao-voting', 'votes', ['proposal', 'voter', 'choice'], {
    title: 'DAO voting',
    description: 'Token-weighted votes on proposals, counted at a snapshot height so tokens cannot vote twice.',
    categories: ['governance'],
    chains: ['arc'],
    price: FREE,
    publisher: 'ledgerlabs',
    versions: v1,
    intro: 'A proposal names a token and a height; each vote weighs the voter’s balance at that height.',
    popularity: 0.4,
  }),
];
