import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.ts';
import { protocolOptionsFromEnv } from './node-options.ts';

describe('gateway protocol settings', () => {
  it('runs DDP and the MQTT broker on 1884 by default, without a bridge', () => {
    expect(protocolOptionsFromEnv(parseEnv({}))).toEqual({ ddp: true, mqtt: { host: '127.0.0.1', port: 1884 } });
  });

  it('turns MQTT off with MQTT_PORT=off and DDP off with DDP_ENABLED=false', () => {
    expect(protocolOptionsFromEnv(parseEnv({ MQTT_PORT: 'off', DDP_ENABLED: 'false' }))).toEqual({ ddp: false });
    expect(() => parseEnv({ MQTT_PORT: 'nope' })).toThrow(/MQTT_PORT/);
  });

  it('bridges the listed filters as the application of the API key, and needs both', () => {
    const source = {
      MQTT_BRIDGE_URL: 'mqtt://127.0.0.1:1883',
      MQTT_BRIDGE_TOPICS: 'app/z1abc/#, chain/blocks',
      MQTT_BRIDGE_API_KEY: 'ak_k.s',
    };
    const env = parseEnv(source);
    expect(protocolOptionsFromEnv(env).mqttBridge).toEqual({
      url: 'mqtt://127.0.0.1:1883',
      filters: ['app/z1abc/#', 'chain/blocks'],
      apiKey: 'ak_k.s',
      importAs: 'bridge',
    });
    expect(protocolOptionsFromEnv(parseEnv({ ...source, MQTT_BRIDGE_IMPORT_AS: 'owner' })).mqttBridge?.importAs).toBe('owner');
    expect(() => parseEnv({ MQTT_BRIDGE_IMPORT_AS: 'anyone' })).toThrow(/MQTT_BRIDGE_IMPORT_AS/);
    expect(() => protocolOptionsFromEnv(parseEnv({ MQTT_BRIDGE_URL: 'mqtt://127.0.0.1:1883' }))).toThrow(/MQTT_BRIDGE_TOPICS/);
    expect(() => parseEnv({ MQTT_BRIDGE_URL: 'http://127.0.0.1:1883' })).toThrow(/MQTT_BRIDGE_URL/);
  });
});
