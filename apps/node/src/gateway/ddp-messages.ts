import { isRetriable } from '@arc/core';
import { z } from 'zod';

/**
 * The DDP messages a client may send (Meteor's DDP, version 1). Every frame is parsed with these; a frame that
 * does not parse is answered `{ msg: 'error', reason }` and the connection lives on.
 */

const Id = z.string().min(1).max(128);

export const ConnectIn = z.object({
  msg: z.literal('connect'),
  version: z.string().max(16),
  support: z.array(z.string().max(16)).max(10).optional(),
  session: z.string().max(128).optional(),
});
export const PingIn = z.object({ msg: z.literal('ping'), id: Id.optional() });
export const PongIn = z.object({ msg: z.literal('pong'), id: Id.optional() });
export const SubIn = z.object({
  msg: z.literal('sub'),
  id: Id,
  name: z.string().min(1).max(256),
  params: z.array(z.unknown()).max(10).optional(),
});
export const UnsubIn = z.object({ msg: z.literal('unsub'), id: Id });
export const MethodIn = z.object({
  msg: z.literal('method'),
  id: Id,
  method: z.string().min(1).max(128),
  params: z.array(z.unknown()).max(10).optional(),
  randomSeed: z.unknown().optional(),
});

export const DdpIn = z.discriminatedUnion('msg', [ConnectIn, PingIn, PongIn, SubIn, UnsubIn, MethodIn]);
export type DdpIn = z.infer<typeof DdpIn>;

/**
 * The optional first param of `sub`: resume after a seq the client already has, of the numbering (`epoch`) it
 * came from (both are on every document and on the subscription's status document).
 */
export const SubParams = z
  .tuple([
    z
      .strictObject({
        afterSeq: z.number().int().nonnegative().optional(),
        epoch: z.string().min(1).max(128).optional(),
      })
      .nullish(),
  ])
  .or(z.tuple([]));

/** `login`: a signed challenge (as gateway.login), or `{ resume: token }` to pick up a session. */
export const LoginParams = z.tuple([
  z.union([
    z.strictObject({
      did: z.string().min(1).max(128),
      publicKey: z.string().regex(/^[0-9a-f]{64}$/),
      nonce: z.string().min(1).max(64),
      timeMs: z.number().int(),
      signature: z.string().regex(/^[0-9a-f]{128}$/),
    }),
    z.strictObject({ resume: z.string().min(1).max(400) }),
  ]),
]);
export const PublishParams = z.tuple([z.string().min(1).max(256), z.unknown()]);
/** `blocklet.call`: the blocklet's name and the input of its `call` handler. */
export const BlockletCallParams = z.tuple([z.string().min(1).max(64), z.unknown()]).or(z.tuple([z.string().min(1).max(64)]));

/** A DDP error object, as Meteor's clients expect it (`Meteor.Error`); `details.retriable` is the catalogue's. */
export interface DdpError {
  error: string;
  reason: string;
  message: string;
  errorType: 'Meteor.Error';
  details: { retriable: boolean };
}

export function ddpError(code: string, reason: string): DdpError {
  return { error: code, reason, message: `${reason} [${code}]`, errorType: 'Meteor.Error', details: { retriable: isRetriable(code) } };
}

/**
 * The collection of one status document per subscription (id = the subscription id), added before `ready`:
 * `{ name, seq, epoch, gap }`, where `gap` is `{ reason, resumeFromSeq }` when a resume with `afterSeq` could not
 * hand over everything after it (the hub's gap signal), else null. Removed when the subscription stops.
 */
export const SUBSCRIPTIONS_COLLECTION = 'gateway.subscriptions';

/** The versions of DDP the server speaks. */
export const DDP_VERSIONS = ['1'] as const;
