import type { BlockletContext, BlockletHandlers, BlockletHttpRequest, BlockletHttpResponse } from '@arc/core';
import { DID, notFound, pageLimit, RequestError, serveRequests } from './request.ts';

/** Bounds of a profile and of a page. */
const LIMITS = { nameChars: 64, avatarChars: 512, bioChars: 1000, linksMax: 8, linkChars: 512, profileBytes: 8 * 1024, pageMax: 100 };
const KEY_PREFIX = 'profile:';

interface Profile {
  name: string;
  avatar: string;
  bio: string;
  links: string[];
}

interface StoredProfile {
  did: string;
  profile: Profile;
  updatedAtMs: number;
}

function text(value: unknown, field: string, max: number): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > max) throw new RequestError(400, `${field} is text of at most ${max} characters`);
  return value;
}

function checkDid(value: unknown): string {
  if (typeof value !== 'string' || !DID.test(value)) throw new RequestError(400, 'did is a did:abt: DID');
  return value;
}

/** The profile fields we keep, each bounded; anything else is dropped. */
function checkProfile(value: unknown): Profile {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RequestError(400, 'profile is an object');
  const input = value as Record<string, unknown>;
  const links = input.links ?? [];
  if (!Array.isArray(links) || links.length > LIMITS.linksMax) throw new RequestError(400, `links is a list of at most ${LIMITS.linksMax}`);
  const profile = {
    name: text(input.name, 'name', LIMITS.nameChars),
    avatar: text(input.avatar, 'avatar', LIMITS.avatarChars),
    bio: text(input.bio, 'bio', LIMITS.bioChars),
    links: links.map((link, i) => text(link, `links[${i}]`, LIMITS.linkChars)),
  };
  if (JSON.stringify(profile).length > LIMITS.profileBytes)
    throw new RequestError(400, `a profile is at most ${LIMITS.profileBytes} bytes`);
  return profile;
}

async function getProfile(ctx: BlockletContext, did: string): Promise<StoredProfile | null> {
  return ((await ctx.kv.get(KEY_PREFIX + did)) as StoredProfile | null) ?? null;
}

async function listProfiles(ctx: BlockletContext, cursor: string | undefined, limitText: string | undefined) {
  const limit = pageLimit(limitText, 20, LIMITS.pageMax);
  const page = await ctx.kv.list({ prefix: KEY_PREFIX, limit, ...(cursor ? { cursor } : {}) });
  return { items: page.items.map((item) => item.value as StoredProfile), nextCursor: page.nextCursor };
}

async function route(request: BlockletHttpRequest, ctx: BlockletContext): Promise<BlockletHttpResponse> {
  const profile = /^\/profile\/([^/]+)$/.exec(request.path);
  if (profile) {
    const stored = await getProfile(ctx, checkDid(decodeURIComponent(profile[1] ?? '')));
    return stored === null ? { status: 404, body: { error: 'no profile for this DID' } } : { body: stored };
  }
  if (request.path === '/profiles') return { body: await listProfiles(ctx, request.query.cursor, request.query.limit) };
  return notFound();
}

type CallInput = { op: 'set'; did: string; profile: unknown } | { op: 'delete'; did: string } | { op: 'get'; did: string };

export default {
  fetch: serveRequests(route),

  /** Writes (and a read for symmetry). Who may call: see the manifest's description. */
  async call(input: CallInput, ctx) {
    const did = checkDid(input?.did);
    switch (input.op) {
      case 'set': {
        const stored: StoredProfile = { did, profile: checkProfile(input.profile), updatedAtMs: Date.now() };
        await ctx.kv.set(KEY_PREFIX + did, stored);
        ctx.log.info('profile set', did);
        return stored;
      }
      case 'delete':
        await ctx.kv.delete(KEY_PREFIX + did);
        ctx.log.info('profile deleted', did);
        return { did, deleted: true };
      case 'get':
        return getProfile(ctx, did);
      default:
        throw new RequestError(400, 'op is set, delete or get');
    }
  },
} satisfies BlockletHandlers;
