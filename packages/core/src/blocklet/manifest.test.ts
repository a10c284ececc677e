import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes.ts';
import { keyPairFromSeed } from '../crypto/index.ts';
import { didFromPublicKey } from '../did/index.ts';
import { canonicalManifestJson, ManifestError, manifestHash, parseManifest } from './manifest.ts';

const AUTHOR = didFromPublicKey(keyPairFromSeed(new Uint8Array(32).fill(1)).publicKey);

const valid = `name: price-oracle
version: 1.2.0
title: Price oracle
author: ${AUTHOR}
interfaces:
  http:
    - path: /price
triggers:
  - type: cron
    schedule: "*/5 * * * *"
permissions:
  hosts: [127.0.0.1:8123]
  ledger: { submit: true }
environment:
  - name: API_KEY
    secure: true
    required: true
limits: { cpuMs: 50 }
payment:
  price: 1000
  beneficiaries:
    - { did: ${AUTHOR}, shareBps: 10000 }
`;

function issuesOf(source: string, file = 'blocklet.yml') {
  try {
    parseManifest(source, file);
  } catch (error) {
    if (error instanceof ManifestError) return error.issues;
    throw error;
  }
  throw new Error('the manifest parsed');
}

describe('the blocklet manifest', () => {
  it('parses YAML and fills defaults', () => {
    const m = parseManifest(valid);
    expect(m).toMatchObject({
      name: 'price-oracle',
      version: '1.2.0',
      entry: 'index.js',
      interfaces: { http: [{ path: '/price', methods: ['GET'] }], topics: [] },
      triggers: [{ type: 'cron', schedule: '*/5 * * * *', handler: 'cron' }],
      permissions: { hosts: ['127.0.0.1:8123'], ledger: { submit: true }, chains: [] },
      limits: { cpuMs: 50, memoryMb: 64, timeoutMs: 10_000 },
      payment: { price: '1000' },
    });
  });

  it('reads the same manifest as JSON, with the same hash', () => {
    const fromYaml = parseManifest(valid);
    const json = JSON.stringify({ ...fromYaml, description: undefined }, null, 2);
    const fromJson = parseManifest(json, 'blocklet.json');
    expect(canonicalManifestJson(fromJson)).toBe(canonicalManifestJson(fromYaml));
    expect(toHex(manifestHash(fromJson))).toBe(toHex(manifestHash(fromYaml)));
  });

  it('points at the line and column of each problem', () => {
    const bad = valid.replace('version: 1.2.0', 'version: one').replace('schedule: "*/5 * * * *"', 'schedule: "every minute"');
    const issues = issuesOf(bad);
    expect(issues).toContainEqual(
      expect.objectContaining({ path: 'version', line: 2, column: 10, message: expect.stringMatching(/semver/) }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ path: 'triggers.0.schedule', line: 10, message: expect.stringMatching(/5 cron fields/) }),
    );
  });

  it('names a missing field at its parent and an unknown one', () => {
    const issues = issuesOf(valid.replace(`author: ${AUTHOR}\n`, '').replace('title: Price oracle', 'title: Price oracle\ncolour: red'));
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['author', '']));
    expect(issues.find((i) => i.path === 'author')?.line).toBe(1);
    expect(issues.find((i) => i.message.includes('colour'))).toBeDefined();
  });

  it('reports YAML syntax errors with their line, and refuses duplicate keys and shares that do not add up', () => {
    expect(issuesOf('name: a\n  bad: [\n')[0]?.line).toBeGreaterThan(0);
    expect(issuesOf(`${valid}name: other\n`)[0]?.message).toMatch(/unique|duplicate/i);
    expect(issuesOf(valid.replace('shareBps: 10000', 'shareBps: 5000')).map((i) => i.message)).toContainEqual(
      expect.stringMatching(/10000 basis points/),
    );
  });

  it('refuses topic permissions no blocklet can ever be granted, at their line', () => {
    const list = (topics: string[]) => (topics.length === 0 ? ' []\n' : `\n${topics.map((t) => `      - "${t}"\n`).join('')}`);
    const withTopics = (publish: string[], subscribe: string[]) =>
      valid.replace(
        '  ledger: { submit: true }\n',
        `  ledger: { submit: true }\n  topics:\n    publish:${list(publish)}    subscribe:${list(subscribe)}`,
      );
    const publishRefused = ['*', 'chain:*', 'chain:blocks', 'account:*', `blocklet:other:logs`, 'blocklet:*', 'a*', 'app:*:x'];
    const issues = issuesOf(withTopics(['chat:*', ...publishRefused], []));
    expect(issues.map((i) => i.path)).toEqual(publishRefused.map((_, n) => `permissions.topics.publish.${n + 1}`));
    // Each issue points at its own line: chat:* is on line 16, the refused topics follow it one per line.
    expect(issues.map((i) => i.line)).toEqual(publishRefused.map((_, n) => 17 + n));
    expect(issues[1]?.message).toMatch(/written by the node only/);

    const subscribeRefused = ['*', `inbox:${AUTHOR}`, 'inbox:*', 'blocklet:other:logs', 'b*'];
    expect(issuesOf(withTopics([], ['app:demo:*', ...subscribeRefused])).map((i) => i.path)).toEqual(
      subscribeRefused.map((_, n) => `permissions.topics.subscribe.${n + 1}`),
    );
    const triggerOnLogs = valid.replace(
      'schedule: "*/5 * * * *"',
      'schedule: "*/5 * * * *"\n  - type: topic\n    topic: "blocklet:other:logs"',
    );
    expect(issuesOf(triggerOnLogs)).toEqual([expect.objectContaining({ path: 'triggers.1.topic', line: 12 })]);

    // What can be granted still parses: chat rooms, application topics, and (for operator-trusted blocklets) inboxes.
    const ok = parseManifest(withTopics(['chat:*', `app:${AUTHOR}:orders`, 'inbox:*'], ['chat:lobby', 'app:demo:*']));
    expect(ok.permissions.topics.publish).toEqual(['chat:*', `app:${AUTHOR}:orders`, 'inbox:*']);
  });

  it('lists keys the node signs with, each once, never also as an environment variable', () => {
    const keyed = (keys: string, env = '') =>
      `name: signer\nversion: 1.0.0\ntitle: S\nauthor: ${AUTHOR}\npermissions:\n  keys:\n${keys}${env}`;
    const one = '    - { name: LEDGER_KEY, scheme: ed25519 }\n';
    expect(parseManifest(keyed(one)).permissions.keys).toEqual([{ name: 'LEDGER_KEY', scheme: 'ed25519' }]);
    expect(parseManifest(`name: plain\nversion: 1.0.0\ntitle: P\nauthor: ${AUTHOR}\n`).permissions.keys).toEqual([]);
    const issues = (text: string) => {
      try {
        parseManifest(text);
      } catch (error) {
        return (error as ManifestError).issues.map((i) => `${i.line} ${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(issues(keyed(one + one))).toEqual([expect.stringMatching(/^7 permissions\.keys: each key is listed once/)]);
    expect(issues(keyed('    - { name: K, scheme: rsa }\n'))).toEqual([expect.stringMatching(/^7 permissions\.keys\.0\.scheme/)]);
    expect(issues(keyed(one, 'environment:\n  - { name: LEDGER_KEY, secure: true }\n'))).toEqual([
      expect.stringMatching(/^7 permissions\.keys\.0\.name: LEDGER_KEY is also under environment/),
    ]);
  });

  it('never throws anything but a ManifestError on garbage (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.constantFrom(valid.slice(0, 40), '{', '- - -', '&a [*a, *a]')), (source) => {
        try {
          parseManifest(source);
        } catch (error) {
          expect(error).toBeInstanceOf(ManifestError);
          expect((error as ManifestError).issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
