import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLUSTER_LIMITS, sidOfRequestHead, slotOfSessionId, workerSessionId } from './messages.ts';

/**
 * The primary routes a long-polling request from its first bytes alone: the session id a worker made names that
 * worker. (Before, workers told the primary of each new session over IPC, and a client quick enough to send its next
 * request before that message arrived reached another worker: "Session ID unknown".)
 */
describe('cluster session ids', () => {
  it('name the worker that made them, read back from the request line the client sends', () => {
    for (let slot = 0; slot < CLUSTER_LIMITS.workersMax; slot++) {
      const sid = workerSessionId(slot, randomBytes(15).toString('base64url'));
      const head = `GET /socket.io/?EIO=4&transport=polling&t=PZ1x&sid=${sid} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
      expect(sidOfRequestHead(head)).toBe(sid);
      expect(slotOfSessionId(sid)).toBe(slot);
    }
  });

  it('leave ids no worker of a cluster made to round-robin', () => {
    expect(slotOfSessionId('AbCdEfGhIjKlMnOpAAAB')).toBeNull();
    expect(slotOfSessionId('w-123')).toBeNull();
    expect(slotOfSessionId('x3-abc')).toBeNull();
    expect(sidOfRequestHead('GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n\r\n')).toBeNull();
  });
});
