import type { BlockletContext, BlockletHandlers, BlockletHttpResponse } from '@arc/core';
import { jsonObjectBody, notFound, RequestError, requestErrorResponse } from './request.ts';

const RAW_TX = /^0x([0-9a-fA-F]{2}){1,16384}$/;

/** The application's policy, from the environment (each has a default in blocklet.yml). */
function policy(env: Readonly<Record<string, string>>) {
  const types = new Set(
    (env.ALLOWED_TYPES ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== ''),
  );
  const maxFee = /^\d{1,78}$/.test(env.MAX_FEE ?? '') ? BigInt(env.MAX_FEE as string) : 0n;
  const perMinute = Number(env.PER_SENDER_PER_MINUTE);
  return { types, maxFee, perMinute: Number.isSafeInteger(perMinute) && perMinute > 0 ? perMinute : 0 };
}

/** Counts a sender's transactions in the current minute (one kv key per sender); false once over the limit. */
async function withinRate(ctx: BlockletContext, sender: string, perMinute: number, nowMs: number): Promise<boolean> {
  const minute = Math.floor(nowMs / 60_000);
  const key = `rate:${sender}`;
  const seen = (await ctx.kv.get(key)) as { minute?: unknown; count?: unknown } | null;
  const count = seen && seen.minute === minute && typeof seen.count === 'number' ? seen.count : 0;
  if (count >= perMinute) return false;
  await ctx.kv.set(key, { minute, count: count + 1 });
  return true;
}

async function sponsor(body: string, ctx: BlockletContext) {
  const input = jsonObjectBody(body, '{"tx": "0x… (the sender-signed transaction, encodeForSponsor in @arc/client)"}');
  if (typeof input.tx !== 'string' || !RAW_TX.test(input.tx)) throw new RequestError(400, 'tx is the transaction as 0x hex');
  const rules = policy(ctx.env);
  let cosigned: Awaited<ReturnType<BlockletContext['keys']['cosign']>>;
  try {
    cosigned = await ctx.keys.cosign('APP_KEY', input.tx);
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    // The caller's transaction is wrong (names another payer, forged, another chain): say what, as a 4xx.
    if (code === 'BAD_INPUT') throw new RequestError(400, message ?? 'the transaction was refused');
    if (code === 'PERMISSION_DENIED') throw new RequestError(403, message ?? 'the transaction names another fee payer');
    throw error;
  }
  if (!rules.types.has(cosigned.type)) {
    throw new RequestError(403, `this application pays for ${[...rules.types].join(', ') || 'no transaction type'}, not ${cosigned.type}`);
  }
  if (BigInt(cosigned.fee) > rules.maxFee) {
    throw new RequestError(403, `this application pays fees up to ${rules.maxFee}; the transaction offers ${cosigned.fee}`);
  }
  if (!(await withinRate(ctx, cosigned.from, rules.perMinute, Date.now()))) {
    throw new RequestError(429, `this application pays for ${rules.perMinute} transactions per sender per minute; retry in a minute`);
  }
  // Held until this invocation succeeds and is recorded, then sent to the ledger.
  await ctx.ocap.send('arc', cosigned.rawTx);
  ctx.log.info('sponsored', cosigned.type, 'from', cosigned.from, 'nonce', cosigned.nonce, cosigned.hash);
  return { hash: cosigned.hash.slice(2), from: cosigned.from, nonce: cosigned.nonce, type: cosigned.type, fee: cosigned.fee };
}

async function identity(ctx: BlockletContext) {
  const info = await ctx.keys.info('APP_KEY');
  return { feePayer: { did: info.address, publicKey: info.publicKey }, policy: policyText(ctx.env) };
}

function policyText(env: Readonly<Record<string, string>>) {
  const rules = policy(env);
  return { allowedTypes: [...rules.types], maxFee: rules.maxFee.toString(), perSenderPerMinute: rules.perMinute };
}

export default {
  async fetch(request, ctx): Promise<BlockletHttpResponse> {
    try {
      if (request.path === '/identity' && request.method === 'GET') return { status: 200, body: await identity(ctx) };
      if (request.path === '/sponsor' && request.method === 'POST') return { status: 200, body: await sponsor(request.body, ctx) };
      return notFound();
    } catch (error) {
      const answer = requestErrorResponse(error);
      if (answer) return answer;
      throw error;
    }
  },
  async call(input: { op?: unknown; tx?: unknown }, ctx: BlockletContext) {
    if (input?.op === 'identity') return identity(ctx);
    if (input?.op === 'sponsor') return sponsor(JSON.stringify({ tx: input.tx }), ctx);
    throw new RequestError(400, "op is 'identity' or 'sponsor'");
  },
} satisfies BlockletHandlers;
