/**
 * The signed-in session's token, readable outside React: the tRPC link sends it as `authorization: Bearer <token>`
 * and the realtime provider reconnects with it. The SessionProvider sets it; listeners hear every change.
 */
let token: string | null = null;
const listeners = new Set<() => void>();

/** The current session token, or null when signed out. */
export function sessionToken(): string | null {
  return token;
}

/** Sets (or clears with null) the session token and tells every listener. */
export function setSessionToken(next: string | null): void {
  if (next === token) return;
  token = next;
  for (const listener of listeners) listener();
}

/** Calls `listener` after every change of the token; returns the function that stops it (useSyncExternalStore shape). */
export function subscribeSessionToken(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
