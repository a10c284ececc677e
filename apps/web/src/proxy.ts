import { type NextRequest, NextResponse } from 'next/server';
import { env } from './env.ts';

/**
 * The browser talks to this server only: `/trpc/*` is rewritten to the node's `/trpc/*`.
 * This is a rewrite done here rather than in `next.config.ts` because config rewrites are frozen
 * into the build (`.next/routes-manifest.json`), while NODE_URL is known only when the server starts.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  return NextResponse.rewrite(new URL(`${pathname}${search}`, env.NODE_URL));
}

export const config = { matcher: '/trpc/:path*' };
