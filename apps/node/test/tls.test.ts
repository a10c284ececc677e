import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../src/testing.ts';

/** HTTPS and WSS on the node's port with a self-signed certificate (made by openssl for this test). */
describe('TLS', () => {
  let node: TestNode;
  let cert: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arc-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    node = await startTestNode({
      tls: { cert, key: readFileSync(join(dir, 'key.pem'), 'utf8') },
      protocols: { mqtt: { host: '127.0.0.1', port: 0 } },
    });
  }, 60_000);

  afterAll(async () => {
    await node?.stop();
  });

  const https = (path: string, ca?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      get(`${node.url}${path}`, { ca }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });

  it('serves the API over HTTPS to a client that trusts the certificate, and not to one that does not', async () => {
    expect(node.url.startsWith('https://')).toBe(true);
    const health = await https('/health', cert);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ ok: true });
    await expect(https('/health')).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  it('keeps OCAP on its own ledger working behind TLS', async () => {
    const res = await https(
      `/trpc/ocap.query?input=${encodeURIComponent(JSON.stringify({ chain: 'arc', method: 'getLatestBlock' }))}`,
      cert,
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).result.data.result.height).toBeGreaterThanOrEqual(0);
  });

  it('serves MQTT over TLS on the embedded broker', async () => {
    const port = node.services.protocols?.mqtt?.port;
    expect(port).toBeGreaterThan(0);
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, { ca: cert, reconnectPeriod: 0, connectTimeout: 5000 });
    try {
      expect(client.connected).toBe(true);
    } finally {
      await client.endAsync();
    }
    await expect(mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow(
      /self[- ]signed|certificate/i,
    );
  });

  it('carries Socket.io over WSS', async () => {
    const socket = io(node.url, { transports: ['websocket'], ca: cert, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });
});
