import type { BlockletContext, BlockletHandlers, BlockletHttpRequest, BlockletHttpResponse } from '@arc/core';
import { DID, jsonObjectBody, newestFirstId, notFound, pageLimit, RequestError, serveRequests } from './request.ts';

/** Notifications kept per inbox, and the bounds of one notification and one page. */
const LIMITS = { keptPerInbox: 200, titleChars: 200, bodyChars: 4000, pageMax: 100 };
const ID = /^\d{13}-[a-zA-Z0-9-]{1,64}$/;

interface Notification {
  id: string;
  did: string;
  title: string;
  body: string;
  atMs: number;
  read: boolean;
}

const inboxPrefix = (did: string) => `inbox:${did}:`;

function field(value: unknown, name: string, max: number, required: boolean): string {
  if (value === undefined && !required) return '';
  if (typeof value !== 'string' || (required && value.length === 0) || value.length > max) {
    throw new RequestError(400, `${name} is text of ${required ? 1 : 0} to ${max} characters`);
  }
  return value;
}

async function send(ctx: BlockletContext, did: string, body: string): Promise<Notification> {
  const input = jsonObjectBody(body, '{"title": "...", "body": "..."}');
  const atMs = Date.now();
  const notification: Notification = {
    id: newestFirstId(atMs, ctx.invocationId),
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
  const limit = pageLimit(query.limit, 50, LIMITS.pageMax);
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
  if (!match) return notFound();
  const did = decodeURIComponent(match[1] ?? '');
  if (!DID.test(did)) throw new RequestError(400, 'the inbox is a did:abt: DID');
  if (match[2] !== undefined) return { body: await markRead(ctx, did, decodeURIComponent(match[2])) };
  if (request.method === 'POST') return { status: 201, body: await send(ctx, did, request.body) };
  return { body: await list(ctx, did, request.query) };
}

export default {
  fetch: serveRequests(route),
} satisfies BlockletHandlers;
