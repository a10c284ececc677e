import { BlockletManifestSchema } from '@arc/core';
import type { z } from 'zod';
import type { PermissionOut } from './api-schemas.ts';

type Permission = z.infer<typeof PermissionOut>;

/** What a blocklet's manifest lets it do, in plain words with a risk each (the component page's permissions). */
export function permissionsOf(manifest: unknown): Permission[] {
  const parsed = BlockletManifestSchema.safeParse(manifest);
  if (!parsed.success) return [];
  const m = parsed.data;
  const out: Permission[] = [];
  for (const host of m.permissions.hosts) {
    out.push({ capability: `fetch:${host}`, words: `may fetch from ${host}`, risk: 'medium' });
  }
  if (m.permissions.ledger.submit) {
    out.push({ capability: 'ledger:send', words: 'may send ABT and submit transactions from its own account', risk: 'high' });
  }
  for (const chain of m.permissions.chains) {
    const level = ['', 'read the chain basics of', 'read tokens, assets and events on', 'make native calls on'][chain.level];
    out.push({
      capability: `chain:${chain.chain}:${chain.level}`,
      words: `may ${level} ${chain.chain}`,
      risk: chain.level === 3 ? 'medium' : 'low',
    });
    if (chain.send) out.push({ capability: `chain:${chain.chain}:send`, words: `may send funds on ${chain.chain}`, risk: 'high' });
  }
  for (const topic of m.permissions.topics.publish) {
    out.push({ capability: `topic:publish:${topic}`, words: `may publish to the topic ${topic}`, risk: 'low' });
  }
  for (const topic of m.permissions.topics.subscribe) {
    out.push({ capability: `topic:subscribe:${topic}`, words: `may listen to the topic ${topic}`, risk: 'low' });
  }
  for (const env of m.environment.filter((e) => e.secure)) {
    out.push({ capability: `secret:${env.name}`, words: `asks for a secret (${env.name}) it keeps on this node`, risk: 'medium' });
  }
  for (const key of m.permissions.keys) {
    out.push({
      capability: `key:${key.name}`,
      words: `signs with a ${key.scheme} key (${key.name}) this node holds for it and never shows it`,
      risk: 'high',
    });
  }
  for (const route of m.interfaces.http.filter((r) => r.activeContent)) {
    out.push({ capability: `http:active:${route.path}`, words: `may serve pages that run scripts at ${route.path}`, risk: 'high' });
  }
  if (Number(m.payment.price) > 0) {
    out.push({ capability: 'payment:perCall', words: 'charges the caller for each call', risk: 'medium' });
  }
  return out;
}

/** The environment keys a manifest declares (an install may set only these). */
export function environmentKeysOf(manifest: unknown): Set<string> {
  const parsed = BlockletManifestSchema.safeParse(manifest);
  return new Set(parsed.success ? parsed.data.environment.map((e) => e.name) : []);
}
