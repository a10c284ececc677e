import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttGateway } from '../src/gateway/mqtt.ts';
import type { Gateway } from '../src/gateway/service.ts';
import type { TopicEvent } from '../src/gateway/types.ts';
import { startTestNode, type TestNode } from '../src/testing.ts';
import { nodeClient } from './helpers/client.ts';
import { gatewayLogin } from './helpers/gateway-login.ts';
import { randomSigner } from './helpers/wallet.ts';

/**
 * Clients this project did not write: Debian's mosquitto_sub and mosquitto_pub against the embedded broker.
 * Skipped when the binaries are not installed; `npm test` installs Debian's mosquitto-clients when it can.
 */

const PUB = '/usr/bin/mosquitto_pub';
const SUB = '/usr/bin/mosquitto_sub';
const installed = existsSync(PUB) && existsSync(SUB);
const unique = () => Math.random().toString(36).slice(2, 10);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a mosquitto client to its end (bounded by its own -W or by timeoutMs). */
function run(binary: string, args: string[], timeoutMs = 15_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(binary, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Starts mosquitto_sub and resolves its output once it exits (after -C messages or -W seconds). Its stdout is a
 * pipe (fully buffered until exit), so whether it subscribed is asked of the broker, not read from its output.
 */
function subscribe(broker: MqttGateway, args: string[]): { ready: Promise<void>; done: Promise<Run>; child: ChildProcess } {
  const before = broker.stats().subscriptions;
  const child = spawn(SUB, args);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<Run>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mosquitto_sub did not subscribe')), 10_000);
    const check = setInterval(() => {
      if (broker.stats().subscriptions <= before) return;
      clearInterval(check);
      clearTimeout(timer);
      resolve();
    }, 20);
  });
  return { ready, done, child };
}

/** The lines of a mosquitto_sub output. */
const linesOf = (out: string) => out.split('\n').filter((line) => line.length > 0);

describe.skipIf(!installed)('MQTT broker with Debian mosquitto clients', () => {
  let node: TestNode;
  let broker: MqttGateway;
  let gateway: Gateway;
  let did: string;
  let token: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    node = await startTestNode({ protocols: { mqtt: { host: '127.0.0.1', port: 0 } } });
    broker = node.services.protocols?.mqtt as MqttGateway;
    gateway = node.services.gateway as Gateway;
    const signer = randomSigner();
    did = signer.did;
    token = await gatewayLogin(nodeClient(node.url), signer);
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill();
    await node?.stop();
  });

  const at = () => ['-h', '127.0.0.1', '-p', String(broker.port)];
  const asDid = () => ['-u', did, '-P', token];

  it('logs in as a DID, subscribes and receives what mosquitto_pub publishes, bytes unchanged', async () => {
    const topic = `chat/${unique()}`;
    const sub = subscribe(broker, [...at(), ...asDid(), '-t', topic, '-v', '-C', '2', '-W', '15']);
    children.push(sub.child);
    await sub.ready;
    expect((await run(PUB, [...at(), ...asDid(), '-t', topic, '-q', '1', '-m', 'hello from mosquitto'])).code).toBe(0);
    expect((await run(PUB, [...at(), ...asDid(), '-t', topic, '-q', '2', '-m', '{"n": 12345678901234567890}'])).code).toBe(0);
    const result = await sub.done;
    expect(linesOf(result.stdout)).toEqual([`${topic} hello from mosquitto`, `${topic} {"n": 12345678901234567890}`]);
  });

  it('keeps a retained message for a later mosquitto_sub, and clears it with an empty one', async () => {
    const topic = `chat/${unique()}/state`;
    expect((await run(PUB, [...at(), ...asDid(), '-t', topic, '-r', '-q', '1', '-m', 'on'])).code).toBe(0);
    // -F %r prints the retain flag: 1 for a retained message.
    const got = await run(SUB, [...at(), '-t', `${topic.split('/').slice(0, 2).join('/')}/#`, '-F', '%t %r %p', '-C', '1', '-W', '10']);
    expect(got.stdout.trim()).toBe(`${topic} 1 on`);
    expect((await run(PUB, [...at(), ...asDid(), '-t', topic, '-r', '-q', '1', '-n'])).code).toBe(0);
    expect(broker.retained.has(topic)).toBe(false);
  });

  it('closes the connection of a refused publish, which never reaches the hub', async () => {
    const events: TopicEvent[] = [];
    const unsubscribe = await gateway.hub.subscribe(
      { kind: 'anonymous' },
      'chain:blocks',
      (event) => {
        if (event.from !== null) events.push(event);
      },
      { ip: '' },
    );
    const refused = await run(PUB, [...at(), ...asDid(), '-t', 'chain/blocks', '-q', '1', '-m', '{}']);
    expect(refused.code).not.toBe(0);
    expect(events).toEqual([]);
    unsubscribe();
  });

  it('answers a bad password with "bad user name or password" and MQTT 5 with "unsupported protocol version"', async () => {
    const bad = await run(PUB, [...at(), '-u', did, '-P', 'st_not-a-session', '-t', 'chat/x', '-m', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/bad user ?name or password/i);
    const v5 = await run(PUB, [...at(), '-V', 'mqttv5', '-t', 'chat/x', '-m', 'x']);
    expect(v5.code).not.toBe(0);
    expect(v5.stderr).toMatch(/unsupported protocol version/i);
  });
});
