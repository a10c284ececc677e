import type { BlockletContext, BlockletHandlers } from '@arc/core';
import { assetAddressOfTx } from './address.ts';

const PAIR = 'ABT-USD';
const MONIKER = `price:${PAIR}`;

interface Quote {
  pair: string;
  price: number;
  atMs: number;
}

/** The ledger asset holding the quote: its address and the transaction that created it. */
interface PriceAsset {
  address: string;
  createdTx: string;
}

/** The first numeric "price" or "usd" field, however deep, or the answer itself when it is a number. */
function findPrice(value: unknown, depth = 0): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : null;
  if (value === null || typeof value !== 'object' || depth > 4) return null;
  for (const [key, field] of Object.entries(value)) {
    if ((key === 'price' || key === 'usd') && typeof field === 'number' && Number.isFinite(field) && field > 0) return field;
    if (typeof field === 'string' && (key === 'price' || key === 'usd') && /^\d+(\.\d+)?$/.test(field)) return Number(field);
  }
  for (const field of Object.values(value)) {
    if (field === null || typeof field !== 'object') continue;
    const inner = findPrice(field, depth + 1);
    if (inner !== null) return inner;
  }
  return null;
}

/** UTF-8 bytes of text as hex: the form the ledger takes asset data in. */
function utf8Hex(text: string): string {
  let hex = '';
  for (const part of encodeURIComponent(text).match(/%[0-9A-F]{2}|[^%]/g) ?? []) {
    hex += part.startsWith('%') ? part.slice(1).toLowerCase() : part.charCodeAt(0).toString(16).padStart(2, '0');
  }
  return hex;
}

async function fetchQuote(ctx: BlockletContext): Promise<Quote> {
  const url = ctx.env.PRICE_URL;
  if (!url) throw new Error('PRICE_URL is not set; set it with blocklet.setEnv (arc blocklet env set oracle PRICE_URL <url>)');
  const response = await ctx.fetch(url, { headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error(`the price source answered HTTP ${response.status}`);
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw new Error('the price source did not answer JSON');
  }
  const price = findPrice(json);
  if (price === null) throw new Error('the price source answered no positive numeric price');
  return { pair: PAIR, price, atMs: Date.now() };
}

/** True when the asset exists on the chain; false when its creating transaction failed (create it again). */
async function assetUsable(ctx: BlockletContext, asset: PriceAsset): Promise<boolean | 'pending'> {
  try {
    await ctx.ocap.query('arc', 'getAsset', { asset: asset.address });
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'NOT_FOUND') throw error;
  }
  try {
    const tx = (await ctx.ocap.query('arc', 'getTransaction', { hash: asset.createdTx })) as { status?: string };
    return tx.status === 'pending' ? 'pending' : false;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'NOT_FOUND') return false;
    throw error;
  }
}

/** Fetches the price and writes it to the ledger: creates the asset once, updates it after. */
async function update(ctx: BlockletContext) {
  const quote = await fetchQuote(ctx);
  const data = utf8Hex(JSON.stringify({ price: quote.price, atMs: quote.atMs }));
  const asset = (await ctx.kv.get('asset')) as PriceAsset | null;
  const usable = asset === null ? false : await assetUsable(ctx, asset);
  let written: { address: string; tx: string | null; op: 'createAsset' | 'updateAsset' | 'none' };
  if (asset !== null && usable === true) {
    const { hash } = await ctx.ledger.submit({ type: 'updateAsset', address: asset.address, moniker: MONIKER, data });
    written = { address: asset.address, tx: hash, op: 'updateAsset' };
  } else if (asset !== null && usable === 'pending') {
    // The asset's creation is not committed yet; the next round updates it.
    written = { address: asset.address, tx: null, op: 'none' };
  } else {
    const { hash } = await ctx.ledger.submit({ type: 'createAsset', moniker: MONIKER, data, transferable: false, readonly: false });
    const address = assetAddressOfTx(hash);
    await ctx.kv.set('asset', { address, createdTx: hash } satisfies PriceAsset);
    written = { address, tx: hash, op: 'createAsset' };
  }
  const stored = { ...quote, asset: written.address, tx: written.tx, signer: await ctx.ledger.did() };
  await ctx.kv.set('price', stored);
  ctx.log.info(`${PAIR} ${quote.price}`, written.op, written.address);
  return { ...stored, op: written.op };
}

export default {
  cron: (_event, ctx) => update(ctx),

  async call(input: { op?: string }, ctx) {
    if (input?.op === 'update') return update(ctx);
    if (input?.op === 'get') return ctx.kv.get('price');
    throw new Error('op is update or get');
  },

  async fetch(request, ctx) {
    const price = await ctx.kv.get('price');
    if (request.path === '/' || request.path === '') {
      // The oracle's state, so an operator sees what it needs before the first quote arrives.
      return {
        body: {
          pair: PAIR,
          signer: await ctx.ledger.did(),
          priceUrlSet: typeof ctx.env.PRICE_URL === 'string' && ctx.env.PRICE_URL !== '',
          latest: price,
          next: price === null ? 'set PRICE_URL (arc blocklet env set oracle PRICE_URL <url>) and fund the signer DID' : null,
        },
      };
    }
    if (request.path !== '/price') return { status: 404, body: { error: 'GET /price or GET /' } };
    if (price === null) return { status: 404, body: { error: 'no price yet; the first update runs within a minute of deploy' } };
    return { body: price };
  },
} satisfies BlockletHandlers;
