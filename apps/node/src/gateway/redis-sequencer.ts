import { randomBytes } from 'node:crypto';
import type { Sequencer } from './hub.ts';

/** What the sequencer needs of a Redis client (node-redis' `eval`); any client type of either process fits. */
interface RedisClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * Reads the cluster's epoch, creating it when Redis has none (a new Redis, or one that lost its data: it keeps
 * nothing on disk here), then INCRs the topic's counter: one script, so no seq is ever handed out under an epoch
 * its counter does not belong to. KEYS[1] = the epoch key, KEYS[2] = the topic's counter (absent: epoch only);
 * ARGV[1] = the epoch to create when there is none.
 */
const EPOCH_AND_SEQ_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
end
if #KEYS < 2 then return {epoch, 0} end
return {epoch, redis.call('INCR', KEYS[2])}
`;

/** A new cluster epoch: readable, unique enough for one Redis (time + 32 random bits). */
function newEpoch(nowMs: number): string {
  return `c${nowMs.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Keys of a cluster's numbering under its prefix (shared by service.ts and standalone.ts). */
export function sequencerKeys(prefix: string): { epoch: string; seq: (topic: string) => string } {
  return { epoch: `${prefix}:gw:epoch`, seq: (topic) => `${prefix}:gw:seq:${topic}` };
}

/** The hub's Sequencer over Redis: each publish gets the topic's next seq and the epoch it belongs to. */
export function redisSequencer(redis: RedisClient, prefix: string, now: () => number): Sequencer {
  const keys = sequencerKeys(prefix);
  return async (topic) =>
    parseAnswer(await redis.eval(EPOCH_AND_SEQ_SCRIPT, { keys: [keys.epoch, keys.seq(topic)], arguments: [newEpoch(now())] }));
}

/** The cluster's epoch now (created when Redis has none): the hub's `clusterEpoch` at start. */
export async function readClusterEpoch(redis: RedisClient, prefix: string, now: () => number): Promise<string> {
  const keys = sequencerKeys(prefix);
  return parseAnswer(await redis.eval(EPOCH_AND_SEQ_SCRIPT, { keys: [keys.epoch], arguments: [newEpoch(now())] })).epoch;
}

function parseAnswer(answer: unknown): { seq: number; epoch: string } {
  if (!Array.isArray(answer) || typeof answer[0] !== 'string' || typeof answer[1] !== 'number')
    throw new Error(`gateway: the Redis sequencer answered ${String(answer).slice(0, 100)}, not [epoch, seq]`);
  return { epoch: answer[0], seq: answer[1] };
}
