import { describe, expect, it } from 'vitest';
import type { Database } from '../db/client.ts';
import { clientKeyOf, GatewayAuthService } from './auth.ts';
import { DEFAULT_GATEWAY_LIMITS, GatewayError } from './types.ts';

describe('the address a sign-in challenge is counted against', () => {
  it('is the IPv4 address, also when IPv4-mapped', () => {
    expect(clientKeyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKeyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the /64 of an IPv6 address, however it is written', () => {
    const key = clientKeyOf('2001:db8:0:1::1');
    expect(key).toBe('2001:db8:0:1::/64');
    expect(clientKeyOf('2001:0db8:0000:0001:ffff:eeee:dddd:cccc')).toBe(key);
    expect(clientKeyOf('2001:db8:0:1:1:2:3:4%eth0')).toBe(key);
    expect(clientKeyOf('2001:db8:0:2::1')).not.toBe(key);
    expect(clientKeyOf('::1')).toBe('0:0:0:0::/64');
  });
});

describe('outstanding sign-in challenges', () => {
  it('free an address again once they expire', () => {
    let nowMs = 1_000_000;
    // challenge() keeps its table in memory: the database is never reached.
    const db = new Proxy({}, { get: () => expect.unreachable('challenge() touched the database') }) as Database;
    const auth = new GatewayAuthService({
      db,
      limits: { ...DEFAULT_GATEWAY_LIMITS, challengesPerIpMax: 2, challengeTtlMs: 60_000 },
      now: () => nowMs,
      blockletOwner: async () => null,
    });
    const ip = '198.51.100.1';
    auth.challenge({ ip });
    auth.challenge({ ip });
    expect(() => auth.challenge({ ip })).toThrow(GatewayError);
    expect(auth.challengeStats(ip)).toEqual({ outstanding: 2, ofClient: 2 });
    nowMs += 60_000;
    expect(auth.challenge({ ip }).expiresAtMs).toBe(nowMs + 60_000);
    expect(auth.challengeStats(ip)).toEqual({ outstanding: 1, ofClient: 1 });
  });
});
