/**
 * How the bridge's components answer a request: `{ ok: true, … }`, or a refusal `{ ok: false, code, message,
 * retriable }`. A refusal is an answer, not a failure of the call, so the asker can tell "never" (FORBIDDEN,
 * CONFLICT, NOT_FOUND, BAD_INPUT) from "not yet" (UNAVAILABLE, retriable). One file; each component folder that uses
 * it links to it as `refusal.ts` (a symbolic link), so a folder still uploads whole.
 */

export type Refusal = { ok: false; code: string; message: string; retriable: boolean };
export type Answer<T> = ({ ok: true } & T) | Refusal;

/** A refusal on its way out of a component's checks. */
export class Refused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable = false,
  ) {
    super(message);
  }
}

/** Runs one request; a refusal, and a coded failure of a host call (asking again may pass), become answers. */
export async function answer<T extends object>(run: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, code: error.code, message: error.message, retriable: error.retriable };
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    return { ok: false, code, message: (error as Error).message, retriable: true };
  }
}
