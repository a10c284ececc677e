import type { BlockletContext, BlockletHandlers, BlockletHttpRequest, BlockletHttpResponse } from '@arc/core';
import { jsonObjectBody, newestFirstId, notFound, pageLimit, RequestError, serveRequests } from './request.ts';

/** Messages kept per room, and the bounds of one message and one page. */
const LIMITS = { keptPerRoom: 100, fromChars: 128, textChars: 2000, pageMax: 100 };
const ROOM = /^[a-zA-Z0-9_-]{1,64}$/;

interface Message {
  id: string;
  room: string;
  from: string;
  text: string;
  atMs: number;
}

const roomPrefix = (room: string) => `room:${room}:`;

function field(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    throw new RequestError(400, `${name} is text of 1 to ${max} characters`);
  return value;
}

/** Stores and publishes a message, then drops the room's messages beyond the newest LIMITS.keptPerRoom. */
async function post(ctx: BlockletContext, room: string, body: string): Promise<Message> {
  const input = jsonObjectBody(body, '{"from": "...", "text": "..."}');
  const atMs = Date.now();
  const id = newestFirstId(atMs, ctx.invocationId);
  const message: Message = {
    id,
    room,
    from: field(input.from, 'from', LIMITS.fromChars),
    text: field(input.text, 'text', LIMITS.textChars),
    atMs,
  };
  await ctx.kv.set(roomPrefix(room) + id, message);
  await ctx.publish(`chat:${room}`, message);
  const kept = await ctx.kv.list({ prefix: roomPrefix(room), limit: LIMITS.keptPerRoom });
  if (kept.nextCursor !== null) {
    // Posts are one at a time per invocation, so at most a few are past the bound (one page covers them).
    const older = await ctx.kv.list({ prefix: roomPrefix(room), limit: LIMITS.pageMax, cursor: kept.nextCursor });
    for (const item of older.items) await ctx.kv.delete(item.key);
  }
  return message;
}

async function list(ctx: BlockletContext, room: string, query: Record<string, string>) {
  const limit = pageLimit(query.limit, 50, LIMITS.pageMax);
  const page = await ctx.kv.list({ prefix: roomPrefix(room), limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  return { items: page.items.map((item) => item.value as Message), nextCursor: page.nextCursor };
}

async function route(request: BlockletHttpRequest, ctx: BlockletContext): Promise<BlockletHttpResponse> {
  const match = /^\/rooms\/([^/]+)\/messages$/.exec(request.path);
  if (!match) return notFound();
  const room = decodeURIComponent(match[1] ?? '');
  if (!ROOM.test(room)) throw new RequestError(400, 'a room is 1 to 64 letters, digits, _ or -');
  if (request.method === 'POST') return { status: 201, body: await post(ctx, room, request.body) };
  return { body: await list(ctx, room, request.query) };
}

export default {
  fetch: serveRequests(route),
} satisfies BlockletHandlers;
