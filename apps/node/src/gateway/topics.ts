import { isValidDid } from '@arc/core';

/** Topic names of the gateway: their grammar, their families and the pattern rooms a topic is delivered to. */

/** The longest topic name (DIDs and tx hashes fit well inside). */
export const TOPIC_BYTES_MAX = 256;

const TOPIC_PATTERN = /^[A-Za-z0-9_.\-:@/]+(:\*)?$/;

/** True for a concrete topic or a pattern that ends in `:*` (the only wildcard the gateway accepts). */
export function isValidTopic(topic: string): boolean {
  if (topic.length === 0 || topic.length > TOPIC_BYTES_MAX) return false;
  if (topic === '*') return false;
  return TOPIC_PATTERN.test(topic);
}

export function isPattern(topic: string): boolean {
  return topic.endsWith(':*');
}

/**
 * The pattern rooms a concrete topic is also delivered to: `a:b:c` → `a:*`, `a:b:*`. A subscriber of a pattern
 * sits in that pattern's room, so delivery is one room lookup per colon, whichever node the subscriber is on.
 */
export function patternRooms(topic: string): string[] {
  const rooms: string[] = [];
  for (let i = topic.indexOf(':'); i !== -1; i = topic.indexOf(':', i + 1)) rooms.push(`${topic.slice(0, i + 1)}*`);
  return rooms;
}

/** True when `topic` is `pattern` or matched by it (`pattern` ends in `:*`). */
export function matchesTopic(pattern: string, topic: string): boolean {
  if (!isPattern(pattern)) return pattern === topic;
  return topic.startsWith(pattern.slice(0, -1)) && !isPattern(topic);
}

export type TopicFamily =
  | { kind: 'chain' }
  | { kind: 'account' }
  | { kind: 'blockletLogs'; name: string }
  | { kind: 'inbox'; did: string }
  | { kind: 'app'; appDid: string; name: string }
  | { kind: 'chat' }
  | { kind: 'other' };

/**
 * The family of a topic or pattern. `app:<appDid>:<name>`: the DID itself holds colons, so the name is what
 * follows the last one; a pattern `app:<appDid>:*` has the name `*`.
 */
export function topicFamily(topic: string): TopicFamily {
  if (topic.startsWith('chain:')) return { kind: 'chain' };
  if (topic.startsWith('account:')) return { kind: 'account' };
  if (topic.startsWith('chat:')) return { kind: 'chat' };
  const logs = /^blocklet:([^:]+):logs$/.exec(topic);
  if (logs?.[1]) return { kind: 'blockletLogs', name: logs[1] };
  if (topic.startsWith('inbox:') && !isPattern(topic)) return { kind: 'inbox', did: topic.slice('inbox:'.length) };
  if (topic.startsWith('app:')) {
    const rest = topic.slice('app:'.length);
    const last = rest.lastIndexOf(':');
    if (last > 0 && isValidDid(rest.slice(0, last))) return { kind: 'app', appDid: rest.slice(0, last), name: rest.slice(last + 1) };
  }
  return { kind: 'other' };
}
