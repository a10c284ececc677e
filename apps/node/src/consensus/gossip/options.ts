import { Server as NetServer } from 'node:net';
import { bytesEqual, cryptoProvider, didFromPublicKey } from '@arc/core';
import { z } from 'zod';
import { GossipError } from './errors.ts';
import type { HandshakeIdentity } from './handshake.ts';
import { type GossipLimits, GossipLimitsOverride, resolveLimits } from './limits.ts';
import type { GossipListen, GossipNodeOptions } from './types.ts';

/** The path gossip takes on a shared HTTP server (and on its own port unless told). */
export const GOSSIP_PATH = '/gossip';

const bytes32 = z.custom<Uint8Array>((value) => value instanceof Uint8Array && value.length === 32, 'a Uint8Array of 32 bytes');

const wsUrl = z.string().refine((text) => {
  if (!URL.canParse(text)) return false;
  const { protocol } = new URL(text);
  return protocol === 'ws:' || protocol === 'wss:';
}, 'a ws:// or wss:// URL');

const path = z.string().regex(/^\/[^?#\s]*$/, 'a URL path starting with /');

/** The options as configuration gives them; functions and the server are checked for their kind only. */
const OptionsSchema = z.object({
  key: z.object({ secretKey: bytes32, publicKey: bytes32 }),
  chainId: z.string().min(1).max(64),
  genesisHash: z.string().regex(/^(0x)?(?:[0-9a-fA-F]{2}){1,64}$/, 'hex of 1 to 64 bytes'),
  listen: z.union([
    z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65_535), path: path.optional() }),
    z.object({ server: z.custom<NetServer>((value) => value instanceof NetServer, 'an HTTP server'), path }),
  ]),
  peers: z.array(wsUrl),
  allowedDids: z.array(z.string().min(1).max(64)).optional(),
  limits: GossipLimitsOverride.optional(),
  log: z.custom<(line: string) => void>((value) => typeof value === 'function', 'a function'),
  now: z.custom<() => number>((value) => typeof value === 'function', 'a function').optional(),
});

/** What the node runs with once its options are checked. */
export interface ResolvedGossipOptions {
  identity: HandshakeIdentity;
  limits: GossipLimits;
  listen: GossipListen;
  path: string;
  peers: string[];
  log: (line: string) => void;
  now: () => number;
}

/** Checks the options (a boundary: they come from configuration) or throws GossipError BAD_OPTIONS saying what is wrong. */
export function resolveGossipOptions(options: GossipNodeOptions): ResolvedGossipOptions {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new GossipError('BAD_OPTIONS', `The gossip options are invalid: ${z.prettifyError(parsed.error)}`);
  const limits = resolveLimits(parsed.data.limits);
  const { key } = options;
  if (!bytesEqual(cryptoProvider().publicKeyEd25519(key.secretKey), key.publicKey)) {
    throw new GossipError('BAD_OPTIONS', 'The gossip key is inconsistent: its public key is not the one of its secret key.');
  }
  const peers = [...new Set(parsed.data.peers)];
  if (peers.length > limits.dialTargetsMax) {
    throw new GossipError('BAD_OPTIONS', `The node is told to dial ${peers.length} peers; the limit is ${limits.dialTargetsMax}.`);
  }
  const allowed = parsed.data.allowedDids;
  if (allowed !== undefined && allowed.length > limits.allowedDidsMax) {
    throw new GossipError('BAD_OPTIONS', `The allow-list holds ${allowed.length} DIDs; the limit is ${limits.allowedDidsMax}.`);
  }
  const genesisHash = parsed.data.genesisHash.replace(/^0x/, '').toLowerCase();
  return {
    identity: {
      key: { secretKey: key.secretKey.slice(), publicKey: key.publicKey.slice() },
      did: didFromPublicKey(key.publicKey, 'node'),
      chainId: parsed.data.chainId,
      genesisHash,
      allowedDids: allowed === undefined ? null : new Set(allowed),
    },
    limits,
    listen: options.listen,
    path: options.listen.path ?? GOSSIP_PATH,
    peers,
    log: options.log,
    now: options.now ?? Date.now,
  };
}
