/** How often a waiting test looks again: often enough not to slow a test, rare enough not to load the machine. */
const POLL_INTERVAL_MS = 25;

/**
 * Waits until `check` holds, looking every `pollMs`; fails after `timeoutMs` with an error naming `what` (a
 * function when the name should say how far it got, read only on failure). The bound is for liveness, not speed.
 */
export async function until(
  check: () => boolean,
  timeoutMs: number,
  what: string | (() => string),
  pollMs = POLL_INTERVAL_MS,
): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
