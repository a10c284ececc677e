/**
 * The blocklet templates: the manifest and the entry of a new project, shared by `arc blocklet init` and the
 * web console. index.ts imports its types from './types' (the SDK's interfaces, which the CLI writes into
 * types.d.ts); the node bundles the TypeScript, so a type-only import needs no file at run time.
 */

export const BLOCKLET_TEMPLATES = ['http', 'cron', 'oracle', 'chain-event'] as const;
export type BlockletTemplateName = (typeof BLOCKLET_TEMPLATES)[number];

export interface BlockletTemplateInput {
  name: string;
  /** The author's DID: the only one who may deploy it. */
  author: string;
  template: BlockletTemplateName;
}

/** What each template is, for people choosing one, and the HTTP route to try first. */
export const BLOCKLET_TEMPLATE_INFO: Record<BlockletTemplateName, { title: string; summary: string; route: string }> = {
  http: { title: 'HTTP API', summary: "Routes /hello and /visits, with a counter kept in the blocklet's state.", route: '/hello' },
  cron: { title: 'Scheduled job', summary: 'A counter ticking every minute, read at /ticks.', route: '/ticks' },
  oracle: {
    title: 'Price oracle',
    summary: 'Fetches a price from an allow-listed host every 5 minutes and serves it at /price.',
    route: '/price',
  },
  'chain-event': {
    title: 'Chain events',
    summary: 'Reacts to transfers on a chain and lists the latest at /events.',
    route: '/events',
  },
};

function manifest(input: BlockletTemplateInput): string {
  const head = [`name: ${input.name}`, 'version: 1.0.0', `title: ${input.name}`, `author: ${input.author}`, 'entry: index.ts'];
  switch (input.template) {
    case 'http':
      return [
        ...head,
        'interfaces:',
        '  http:',
        '    - path: /hello',
        '      methods: [GET]',
        '    - path: /visits',
        '      methods: [GET, POST]',
        'limits:',
        '  cpuMs: 100',
        '  timeoutMs: 5000',
        '',
      ].join('\n');
    case 'cron':
      return [
        ...head,
        'interfaces:',
        '  http:',
        '    - path: /ticks',
        '      methods: [GET]',
        'triggers:',
        '  # minute hour day-of-month month day-of-week',
        '  - type: cron',
        '    schedule: "* * * * *"',
        '',
      ].join('\n');
    case 'oracle':
      return [
        ...head,
        'interfaces:',
        '  http:',
        '    - path: /price',
        '      methods: [GET]',
        'triggers:',
        '  - type: cron',
        '    schedule: "*/5 * * * *"',
        'permissions:',
        '  # ctx.fetch reaches only these hosts; add the one PRICE_URL points at.',
        '  hosts: [api.coingecko.com]',
        'environment:',
        '  - name: PRICE_URL',
        '    description: a URL answering JSON with a numeric "price" field',
        '    default: https://api.coingecko.com/api/v3/simple/price?ids=arcblock&vs_currencies=usd',
        '',
      ].join('\n');
    case 'chain-event':
      return [
        ...head,
        'interfaces:',
        '  http:',
        '    - path: /events',
        '      methods: [GET]',
        'triggers:',
        '  # transfers on the mock chain, once 1 block confirms them',
        '  - type: chain',
        '    chain: mock',
        '    confirmations: 1',
        '    filter:',
        '      kinds: [transfer, tokenTransfer]',
        'permissions:',
        '  chains:',
        '    - chain: mock',
        '      level: 2',
        '',
      ].join('\n');
  }
}

function entry(input: BlockletTemplateInput): string {
  const header = "import type { BlockletHandlers } from './types';\n\n";
  switch (input.template) {
    case 'http':
      return `${header}export default {
  async fetch(request, ctx) {
    if (request.path === '/hello') {
      ctx.log.info('hello from', request.headers['user-agent'] ?? 'someone');
      return { body: { message: 'hello from ${input.name}' } };
    }
    if (request.path === '/visits') {
      // kv writes are kept only when the invocation succeeds.
      const visits = ((await ctx.kv.get('visits')) as number | null) ?? 0;
      if (request.method === 'POST') await ctx.kv.set('visits', visits + 1);
      return { body: { visits: request.method === 'POST' ? visits + 1 : visits } };
    }
    return { status: 404, body: { error: 'not found' } };
  },
} satisfies BlockletHandlers;
`;
    case 'cron':
      return `${header}export default {
  async cron(event, ctx) {
    const ticks = ((await ctx.kv.get('ticks')) as number | null) ?? 0;
    await ctx.kv.set('ticks', ticks + 1);
    ctx.log.info('tick', ticks + 1, 'scheduled at', new Date(event.scheduledAtMs).toISOString());
  },

  async fetch(_request, ctx) {
    return { body: { ticks: ((await ctx.kv.get('ticks')) as number | null) ?? 0 } };
  },
} satisfies BlockletHandlers;
`;
    case 'oracle':
      return `import type { BlockletContext, BlockletHandlers } from './types';

async function update(ctx: BlockletContext) {
  const url = ctx.env.PRICE_URL;
  if (!url) throw new Error("set PRICE_URL in the blocklet's environment (console, or: arc blocklet env set ${input.name} PRICE_URL <url>)");
  const response = await ctx.fetch(url);
  if (response.status !== 200) throw new Error(\`the price source answered \${response.status}\`);
  const price = findPrice(JSON.parse(response.body));
  if (price === null) throw new Error('the price source answered without a numeric price');
  const quote = { price, atMs: Date.now() };
  await ctx.kv.set('price', quote);
  ctx.log.info('price', price);
  return quote;
}

/** The first numeric "price" or "usd" field, however deep. */
function findPrice(value: unknown): number | null {
  if (value === null || typeof value !== 'object') return null;
  for (const [key, field] of Object.entries(value)) {
    if ((key === 'price' || key === 'usd') && typeof field === 'number') return field;
    const inner = findPrice(field);
    if (inner !== null) return inner;
  }
  return null;
}

export default {
  cron: (_event, ctx) => update(ctx),
  call: (_input: unknown, ctx) => update(ctx),
  async fetch(_request, ctx) {
    const quote = await ctx.kv.get('price');
    return quote === null ? { status: 404, body: { error: 'no price yet' } } : { body: quote };
  },
} satisfies BlockletHandlers;
`;
    case 'chain-event':
      return `${header}/** Events kept, newest first. */
const KEPT_MAX = 50;

export default {
  async event(event, ctx) {
    const recent = ((await ctx.kv.get('recent')) as unknown[] | null) ?? [];
    await ctx.kv.set('recent', [{ chain: event.chain, ...event.event }, ...recent].slice(0, KEPT_MAX));
    ctx.log.info('event on', event.chain, event.dedupKey);
  },

  async fetch(_request, ctx) {
    return { body: { events: ((await ctx.kv.get('recent')) as unknown[] | null) ?? [] } };
  },
} satisfies BlockletHandlers;
`;
  }
}

/** The manifest (blocklet.yml) and entry (index.ts) of a new blocklet from a template. */
export function blockletTemplateFiles(input: BlockletTemplateInput): { 'blocklet.yml': string; 'index.ts': string } {
  return { 'blocklet.yml': manifest(input), 'index.ts': entry(input) };
}
