import { describe, expect, it } from 'vitest';
import { hubTopicToMqtt, MQTT_TOPIC_LENGTH_MAX, mqttFilterToHub, mqttTopicMatches, mqttTopicToHub } from './mqtt-topics.ts';

const DID = 'did:abt:z1TzuV9ZmQsfUWmvGMbzVPk9fGP6tvyGYuF';
const ID = 'z1TzuV9ZmQsfUWmvGMbzVPk9fGP6tvyGYuF';

describe('MQTT topic mapping', () => {
  const pairs: [string, string][] = [
    ['chain:blocks', 'chain/blocks'],
    ['chain:tx:ab12', 'chain/tx/ab12'],
    [`account:${DID}`, `account/${ID}`],
    [`inbox:${DID}`, `inbox/${ID}`],
    [`app:${DID}:scores`, `app/${ID}/scores`],
    [`app:${DID}:room.1:moves`, `app/${ID}/room.1/moves`],
    ['blocklet:watcher:logs', 'blocklet/watcher/logs'],
    ['chat:lobby', 'chat/lobby'],
  ];

  it.each(pairs)('maps %s to %s and back', (hub, mqtt) => {
    expect(hubTopicToMqtt(hub)).toBe(mqtt);
    expect(mqttTopicToHub(mqtt)).toBe(hub);
  });

  it('has no MQTT form for topics a level of which holds a slash, or a DID family without a DID', () => {
    expect(hubTopicToMqtt('chat:a/b')).toBeNull();
    expect(hubTopicToMqtt('account:z1abc')).toBeNull();
    expect(hubTopicToMqtt('app:someone:scores')).toBeNull();
  });

  it('refuses MQTT topics with empty levels, colons or characters the gateway does not allow', () => {
    for (const topic of ['', '/chain/blocks', 'chain//blocks', 'chain/blocks/', 'chat/a:b', 'chat/ä', 'chat/a b', 'account'])
      expect(mqttTopicToHub(topic)).toBeNull();
  });

  it('turns wildcards into a covering pattern and keeps the filter for exact matching', () => {
    expect(mqttFilterToHub('chain/blocks')).toEqual({ hubTopic: 'chain:blocks', filter: 'chain/blocks' });
    expect(mqttFilterToHub(`app/${ID}/#`)).toEqual({ hubTopic: `app:${DID}:*`, filter: `app/${ID}/#` });
    expect(mqttFilterToHub(`app/${ID}/+`)?.hubTopic).toBe(`app:${DID}:*`);
    expect(mqttFilterToHub('chain/tx/+')?.hubTopic).toBe('chain:tx:*');
    expect(mqttFilterToHub('account/+')?.hubTopic).toBe('account:*');
    expect(mqttFilterToHub('app/+/scores')?.hubTopic).toBe('app:*');
    expect(mqttFilterToHub('chat/+/x/#')?.hubTopic).toBe('chat:*');
  });

  it('refuses filters the gateway cannot express', () => {
    for (const filter of ['#', '+', '+/blocks', '$SYS/#', '$share/g/chain/blocks', 'chain/#/x', 'chat/a:b/#', ''])
      expect(mqttFilterToHub(filter)).toBeNull();
  });

  it('refuses malformed filters (wildcards inside a level, NUL, too long, too many levels) without throwing', () => {
    const tooLong = `chat/${'x'.repeat(MQTT_TOPIC_LENGTH_MAX)}`;
    const tooDeep = Array.from({ length: 150 }, () => 'l').join('/');
    for (const filter of ['chat+', 'chat/a+', 'chat/#a', 'chat/a#', 'chat/a\u0000b', tooLong, tooDeep, 'chat/\ud800'])
      expect(mqttFilterToHub(filter)).toBeNull();
    expect(mqttTopicToHub(tooLong)).toBeNull();
  });

  it('matches MQTT topics against filters as MQTT does', () => {
    expect(mqttTopicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(mqttTopicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(mqttTopicMatches('a/+', 'a/b/c')).toBe(false);
    expect(mqttTopicMatches('a/#', 'a/b/c')).toBe(true);
    expect(mqttTopicMatches('a/#', 'a')).toBe(true);
    expect(mqttTopicMatches('a/b', 'a/b')).toBe(true);
    expect(mqttTopicMatches('a/b', 'a/b/c')).toBe(false);
  });
});
