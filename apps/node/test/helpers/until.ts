/** How often a waiting test looks again: often enough not to slow a test, rare enough not to load the machine. */
const POLL_INTERVAL_MS = 20;
/** How long a test waits by default: a liveness bound for a shared, loaded machine, not a speed check. */
const WAIT_TIMEOUT_MS = 20_000;

/**
 * Polls `check` until it answers a value (anything but undefined) and answers that value; fails after
 * `timeoutMs` with an error naming `what`. A check may be async, and may throw to give up early.
 */
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = WAIT_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
