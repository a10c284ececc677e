import { DID_PREFIX } from '@arc/core';
import { TOPIC_BYTES_MAX } from './topics.ts';

/**
 * How gateway topics look on MQTT. Gateway topics separate levels with `:`, MQTT with `/`. A DID holds colons
 * itself (`did:abt:z1…`), so where a family carries a DID it is written as its method-specific id, one level:
 *
 *   chain:blocks                      ↔ chain/blocks
 *   account:did:abt:z1abc             ↔ account/z1abc
 *   inbox:did:abt:z1abc               ↔ inbox/z1abc
 *   app:did:abt:z1abc:scores          ↔ app/z1abc/scores
 *   blocklet:watcher:logs             ↔ blocklet/watcher/logs
 *
 * A topic that has no MQTT form (a level holding `/`, an `account:` topic without a DID) maps to null, and so
 * does an MQTT topic with characters the gateway does not allow.
 */

/** Families whose second level is a DID (written as its method-specific id on MQTT). */
const DID_FAMILIES = new Set(['account', 'inbox', 'app']);
const DID_METHOD = DID_PREFIX.slice(0, -1).split(':'); // ['did', 'abt']
/** What one gateway level may hold (topics.ts allows `/` too, which MQTT cannot carry inside a level). */
const LEVEL = /^[A-Za-z0-9_.\-@]+$/;
/**
 * The longest MQTT topic or filter the gateway reads: no gateway topic is longer (an MQTT topic is shorter than its
 * gateway topic), so anything longer is refused before it is split into levels.
 */
export const MQTT_TOPIC_LENGTH_MAX = TOPIC_BYTES_MAX;

/** The MQTT topic of a concrete gateway topic, or null when it has none. */
export function hubTopicToMqtt(topic: string): string | null {
  const levels = topic.split(':');
  const family = levels[0] ?? '';
  if (DID_FAMILIES.has(family)) {
    if (levels[1] !== DID_METHOD[0] || levels[2] !== DID_METHOD[1] || levels.length < 4) return null;
    levels.splice(1, 2);
  }
  if (!levels.every((level) => LEVEL.test(level))) return null;
  return levels.join('/');
}

/** The gateway topic of a concrete MQTT topic (no wildcards), or null when it has none. */
export function mqttTopicToHub(topic: string): string | null {
  if (topic.length > MQTT_TOPIC_LENGTH_MAX) return null;
  const levels = topic.split('/');
  if (!levels.every((level) => LEVEL.test(level))) return null;
  const family = levels[0] ?? '';
  if (DID_FAMILIES.has(family)) {
    if (levels.length < 2) return null;
    levels.splice(1, 0, ...DID_METHOD);
  }
  return levels.join(':');
}

/** An MQTT topic filter as a gateway subscription: the gateway topic or pattern to subscribe to, and the filter to keep. */
export interface MqttSubscription {
  /** A concrete topic, or a pattern ending in `:*` that covers every topic the filter matches. */
  hubTopic: string;
  /** The MQTT filter; events of a pattern are delivered only when their MQTT topic matches it. */
  filter: string;
}

/**
 * The gateway subscription of an MQTT filter. `+` and `#` become the pattern `<levels before the first
 * wildcard>:*`, and each event is matched against the filter before delivery, so `app/z1/+/x` delivers exactly
 * what MQTT would. Null when the filter starts with a wildcard (the gateway has no `*` for everything), starts
 * with `$` (shared and system topics) or has levels the gateway cannot name.
 */
export function mqttFilterToHub(filter: string): MqttSubscription | null {
  if (filter.length === 0 || filter.length > MQTT_TOPIC_LENGTH_MAX || filter.startsWith('$')) return null;
  const levels = filter.split('/');
  const firstWildcard = levels.findIndex((level) => level === '+' || level === '#');
  if (firstWildcard === -1) {
    const hubTopic = mqttTopicToHub(filter);
    return hubTopic === null ? null : { hubTopic, filter };
  }
  if (firstWildcard === 0) return null;
  const hashAt = levels.indexOf('#');
  if (hashAt !== -1 && hashAt !== levels.length - 1) return null;
  for (const level of levels) if (level !== '+' && level !== '#' && !LEVEL.test(level)) return null;
  const prefix = mqttTopicToHub(levels.slice(0, firstWildcard).join('/'));
  // `app/+/x` cannot be written below the family level: the DID is three gateway levels, so subscribe to the family.
  const family = levels[0] ?? '';
  const hubPrefix = prefix ?? (DID_FAMILIES.has(family) && firstWildcard === 1 ? family : null);
  if (hubPrefix === null) return null;
  return { hubTopic: `${hubPrefix}:*`, filter };
}

/** True when the MQTT topic matches the MQTT filter (`+` one level, `#` the rest including none). */
export function mqttTopicMatches(filter: string, topic: string): boolean {
  const want = filter.split('/');
  const have = topic.split('/');
  for (let i = 0; i < want.length; i++) {
    const level = want[i];
    if (level === '#') return true;
    if (i >= have.length) return false;
    if (level !== '+' && level !== have[i]) return false;
  }
  return want.length === have.length;
}
