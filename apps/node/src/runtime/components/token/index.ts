import type { BlockletContext, BlockletHandlers, BlockletHttpResponse } from '@arc/core';
import { DID, notFound, RequestError, requestErrorResponse } from './request.ts';

/** One airdrop is one ledger transaction per recipient; the runtime allows 10 submissions per invocation. */
const AIRDROP_RECIPIENTS_MAX = 10;
const AMOUNT = /^[1-9]\d{0,77}$/;

function checkDid(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DID.test(value)) throw new RequestError(400, `${field} is a did:abt: address`);
  return value;
}

/** The balance in the token's smallest unit, as a decimal string. */
async function balance(ctx: BlockletContext, token: string, owner: string): Promise<{ token: string; owner: string; balance: string }> {
  const answer = await ctx.ocap.query('arc', 'getTokenBalance', { token, owner });
  // The OCAP answer is the amount (a decimal string), or an object holding it.
  const amount = typeof answer === 'object' && answer !== null ? (answer as { balance?: unknown }).balance : answer;
  return { token, owner, balance: String(amount) };
}

async function airdrop(ctx: BlockletContext, input: { token?: unknown; recipients?: unknown; amount?: unknown }) {
  const token = checkDid(input.token, 'token');
  const recipients = input.recipients;
  if (!Array.isArray(recipients) || recipients.length === 0 || recipients.length > AIRDROP_RECIPIENTS_MAX) {
    throw new RequestError(400, `recipients is a list of 1 to ${AIRDROP_RECIPIENTS_MAX} DIDs`);
  }
  const amount = typeof input.amount === 'number' && Number.isSafeInteger(input.amount) ? String(input.amount) : input.amount;
  if (typeof amount !== 'string' || !AMOUNT.test(amount))
    throw new RequestError(400, 'amount is a positive whole number in the smallest unit, as a string');
  const targets = recipients.map((r, i) => checkDid(r, `recipients[${i}]`));
  const from = await ctx.ledger.did();
  const held = await balance(ctx, token, from);
  if (BigInt(held.balance) < BigInt(amount) * BigInt(targets.length)) {
    throw new RequestError(409, `${from} holds ${held.balance} of ${token}; the airdrop needs ${BigInt(amount) * BigInt(targets.length)}`);
  }
  // The runtime submits these only if the invocation succeeds, so a failure half-way sends nothing.
  const sent: { to: string; hash: string }[] = [];
  for (const to of targets) {
    const { hash } = await ctx.ledger.submit({
      type: 'transfer',
      to,
      amount: '0',
      tokens: [{ token, amount }],
      assets: [],
      memo: 'airdrop',
    });
    sent.push({ to, hash });
  }
  ctx.log.info('airdrop', token, amount, 'to', targets.length, 'recipients');
  return { from, token, amount, sent };
}

type CallInput =
  | { op: 'balance'; token: string; owner: string }
  | { op: 'airdrop'; token: string; recipients: string[]; amount: string }
  | { op: 'did' };

export default {
  async fetch(request, ctx): Promise<BlockletHttpResponse> {
    const match = /^\/tokens\/([^/]+)\/balance\/([^/]+)$/.exec(request.path);
    if (!match) return notFound();
    try {
      const token = checkDid(decodeURIComponent(match[1] ?? ''), 'token');
      const owner = checkDid(decodeURIComponent(match[2] ?? ''), 'owner');
      return { body: await balance(ctx, token, owner) };
    } catch (error) {
      const answer = requestErrorResponse(error);
      if (answer !== null) return answer;
      const code = (error as { code?: unknown }).code;
      if (code === 'NOT_FOUND') return { status: 404, body: { error: (error as Error).message } };
      throw error;
    }
  },

  async call(input: CallInput, ctx) {
    switch (input?.op) {
      case 'balance':
        return balance(ctx, checkDid(input.token, 'token'), checkDid(input.owner, 'owner'));
      case 'airdrop':
        return airdrop(ctx, input);
      case 'did':
        return { did: await ctx.ledger.did() };
      default:
        throw new RequestError(400, 'op is balance, airdrop or did');
    }
  },
} satisfies BlockletHandlers;
