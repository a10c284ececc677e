import { sdkTypesFile } from './sdk-types.ts';

/**
 * What `arc blocklet init` writes: a project that needs nothing but the `arc` command. index.ts is typed
 * against types.d.ts, the SDK's interfaces written from @arc/core's source when the project is made
 * (sdk-types.ts); the node bundles the TypeScript itself, so there is no build step and no dependency to install.
 */

export const TEMPLATES = ['http', 'cron', 'oracle'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface TemplateInput {
  name: string;
  author: string;
  template: TemplateName;
}

function manifest(input: TemplateInput): string {
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
  }
}

function entry(input: TemplateInput): string {
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
  if (!url) throw new Error('set PRICE_URL: arc blocklet env set ${input.name} PRICE_URL <url>');
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
  }
}

function readme(input: TemplateInput): string {
  const routes = { http: '/hello', cron: '/ticks', oracle: '/price' }[input.template];
  return `# ${input.name}

A blocklet: a serverless component that runs on an Arc node. \`blocklet.yml\` declares what it may do
(routes, triggers, hosts, topics, limits); \`index.ts\` exports its handlers. \`types.d.ts\` holds the SDK
types, so editors check the code; nothing needs installing.

\`\`\`sh
arc blocklet dev                      # the local dev node (mock chain): redeploys on every save, tails logs
arc blocklet deploy                   # deploys this version and moves "live" to it
curl $ARC_NODE_URL/b/${input.name}${routes}
arc blocklet logs ${input.name} --follow
arc blocklet rollback ${input.name}          # live back to the previous version
\`\`\`

Each deploy needs a new \`version\` in blocklet.yml (semver). Deploying spends a transaction fee from your
key's account; on a dev chain, \`arc faucet\` gives you test ABT.
`;
}

/** The files of a new project, by name. */
export function templateFiles(input: TemplateInput): Record<string, string> {
  return { 'blocklet.yml': manifest(input), 'index.ts': entry(input), 'types.d.ts': sdkTypesFile(), 'README.md': readme(input) };
}
