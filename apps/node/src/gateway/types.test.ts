import { describe, expect, it } from 'vitest';
import { parseEnv } from '../config/env.ts';
import { DEFAULT_GATEWAY_LIMITS, gatewayLimitsFromEnv } from './types.ts';

describe('gateway limits from the environment', () => {
  it('defaults every limit, and takes the GATEWAY_* variables', () => {
    expect(gatewayLimitsFromEnv(parseEnv({}))).toEqual(DEFAULT_GATEWAY_LIMITS);
    const limits = gatewayLimitsFromEnv(
      parseEnv({
        GATEWAY_RETAINED_BYTES_MAX: '1048576',
        GATEWAY_RETAINED_BYTES_PER_TOPIC_MAX: '65536',
        GATEWAY_RETAINED_BYTES_PER_PUBLISHER_MAX: '262144',
        GATEWAY_RETAINED_TOPICS_MAX: '100',
        GATEWAY_CHALLENGES_PER_IP_MAX: '3',
        GATEWAY_CHALLENGES_MAX: '50',
      }),
    );
    expect(limits).toMatchObject({
      retainedBytesMax: 1048576,
      retainedBytesPerTopicMax: 65536,
      retainedBytesPerPublisherMax: 262144,
      retainedTopicsMax: 100,
      challengesPerIpMax: 3,
      challengesMax: 50,
    });
  });

  it('refuses a bound that would stop the gateway working, naming the variable', () => {
    expect(() => parseEnv({ GATEWAY_CHALLENGES_PER_IP_MAX: '0' })).toThrow(/GATEWAY_CHALLENGES_PER_IP_MAX/);
    expect(() => parseEnv({ GATEWAY_RETAINED_TOPICS_MAX: 'lots' })).toThrow(/GATEWAY_RETAINED_TOPICS_MAX/);
  });
});
