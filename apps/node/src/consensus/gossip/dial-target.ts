import type { Link } from './link.ts';
import type { PeerState, PeerStatus } from './types.ts';

/**
 * A configured peer URL: dialed while the node runs, redialed after each failure with backoff. `did` is learned at
 * the first authenticated handshake; while that DID is connected by any link (perhaps one it opened to us), the
 * target is parked and is woken when that link ends.
 */
export class DialTarget {
  did: string | null = null;
  /** The DID the last refused peer claimed in its hello (shown by peers(), never trusted). */
  claimedDid: string | null = null;
  state: Exclude<PeerState, 'connected'> = 'connecting';
  lastError: string | null = null;
  /** Failed attempts since the last connection. */
  failures = 0;
  /** The connection being tried or held, if any. */
  link: Link | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(readonly url: string) {}

  /** True while a redial is scheduled. */
  get scheduled(): boolean {
    return this.#timer !== null;
  }

  /** Runs `dial` after `delayMs`, replacing a redial already scheduled. */
  schedule(delayMs: number, dial: () => void): void {
    this.cancel();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      dial();
    }, delayMs);
    this.#timer.unref();
  }

  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** The target as peers() shows it while it has no connection. */
  status(): PeerStatus {
    return {
      did: this.did ?? this.claimedDid,
      url: this.url,
      state: this.state,
      lastError: this.lastError,
      messagesIn: 0,
      messagesOut: 0,
      dropped: 0,
      droppedInbound: 0,
      droppedOutbound: 0,
      queued: 0,
      rttMs: null,
      connectedAtMs: null,
      cut: false,
    };
  }
}
