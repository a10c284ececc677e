import type { BlockletContext, BlockletHandlers, BlockletHttpRequest, BlockletHttpResponse } from '@arc/core';

/** Notifications kept per inbox, and the bounds of one notification and one page. */
const LIMITS = { keptPerInbox: 200, titleChars: 200, bodyChars: 4000, pageMax: 100 };
const DID = /^did:abt:z[1-9A-HJ-NP-Za-km-z]{20,60}$/;
const ID = /^\d{13}-[a-zA-Z0-9-]{1,64}$/;
/** Keys sort newest first: the time is stored as its distance to this far future (ms). */
const TIME_MAX_MS = 9_999_999_999_999;

interface Notification {
  id: string;
  did: string;
  title: string;
  body: string;
  atMs: number;
  read: boolean;
}

/** A request the caller got wrong: its HTTP status and a sentence. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const inboxPrefix = (did: string) => `inbox:${did}:`;

function parseBody(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new RequestError(400, 'the body is JSON: {"title": "...", "body": "..."}');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RequestError(400, 'the body is a JSON object');
  return value as Record<string, unknown>;
}

function field(value: unknown, name: string, max: number, required: boolean): string {
  if (value === undefined && !required) return '';
  if (typeof value !== 'string' || (required && value.length === 0) || value.length > max) {
    throw new RequestError(400, `${name} is text of ${required ? 1 : 0} to ${max} characters`);
  }
  return value;
}

async function send(ctx: BlockletContext, did: string, body: string): Promise<Notification> {
  const input = parseBody(body);
  const atMs = Date.now();
  const notification: Notification = {
    id: `${String(TIME_MAX_MS - atMs).padStart(13, '0')}-${ctx.invocationId}`,
    did,
    title: field(input.title, 'title', LIMITS.titleChars, true),
    body: field(input.body, 'body', LIMITS.bodyChars, false),
    atMs,
    read: false,
  };
  await ctx.kv.set(inboxPrefix(did) + notification.id, notification);
  await ctx.publish(`inbox:${did}`, notification);
  // Drop what is past the newest LIMITS.keptPerInbox (pages walk from the newest).
  let cursor: string | null = null;
  let seen = 0;
  do {
    const page: { items: { key: string }[]; nextCursor: string | null } = await ctx.kv.list({
      prefix: inboxPrefix(did),
      limit: LIMITS.pageMax,
      ...(cursor === null ? {} : { cursor }),
    });
    for (const item of page.items) {
      seen += 1;
      if (seen > LIMITS.keptPerInbox) await ctx.kv.delete(item.key);
    }
    cursor = page.nextCursor;
  } while (cursor !== null && seen <= LIMITS.keptPerInbox + LIMITS.pageMax);
  return notification;
}

async function list(ctx: BlockletContext, did: string, query: Record<string, string>) {
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.pageMax) throw new RequestError(400, `limit is 1 to ${LIMITS.pageMax}`);
  const page = await ctx.kv.list({ prefix: inboxPrefix(did), limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  let items = page.items.map((item) => item.value as Notification);
  if (query.unread === '1' || query.unread === 'true') items = items.filter((n) => !n.read);
  return { items, nextCursor: page.nextCursor };
}

async function markRead(ctx: BlockletContext, did: string, id: string): Promise<Notification> {
  if (!ID.test(id)) throw new RequestError(400, 'not a notification id');
  const key = inboxPrefix(did) + id;
  const stored = (await ctx.kv.get(key)) as Notification | null;
  if (stored === null) throw new RequestError(404, `no notification ${id} in this inbox`);
  const read = { ...stored, read: true };
  if (!stored.read) await ctx.kv.set(key, read);
  return read;
}

async function route(request: BlockletHttpRequest, ctx: BlockletContext): Promise<BlockletHttpResponse> {
  const match = /^\/inbox\/([^/]+)(?:\/([^/]+)\/read)?$/.exec(request.path);
  if (!match) return { status: 404, body: { error: 'not found' } };
  const did = decodeURIComponent(match[1] ?? '');
  if (!DID.test(did)) throw new RequestError(400, 'the inbox is a did:abt: DID');
  if (match[2] !== undefined) return { body: await markRead(ctx, did, decodeURIComponent(match[2])) };
  if (request.method === 'POST') return { status: 201, body: await send(ctx, did, request.body) };
  return { body: await list(ctx, did, request.query) };
}

export default {
  async fetch(request, ctx) {
    try {
      return await route(request, ctx);
    } catch (error) {
      if (error instanceof RequestError) return { status: error.status, body: { error: error.message } };
      throw error;
    }
  },
} satisfies BlockletHandlers;
