import { ERROR_CATALOG, type ErrorCode, TRPC_FALLBACK_CODES, type TrpcCode } from '@arc/core';
import { describe, expect, it } from 'vitest';
import { createClient } from './client.ts';
import { CLIENT_ERRORS, ClientError, fromErrorBody } from './errors.ts';
import { RETRIABLE_CONNECT_CODES, rejectAck } from './realtime-wire.ts';
import { FakeError, fakeFetch } from './testing/fake-node.ts';

/** What chain.info throws when the node answers with `data`. */
async function refusal(data: { code: string; appCode?: string; retriable?: boolean }, message = 'refused'): Promise<ClientError> {
  const client = createClient({
    url: 'http://node.test',
    fetch: fakeFetch({
      'chain.info': () => {
        throw new FakeError(message, data);
      },
    }),
  });
  const error = await client.chainInfo().then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ClientError);
  return error as ClientError;
}

describe('ClientError from what the node sends', () => {
  it('rebuilds a bare tRPC code as the code it stands for, with the catalogue’s flag', async () => {
    expect(await refusal({ code: 'TOO_MANY_REQUESTS' })).toMatchObject({ code: 'RATE_LIMITED', retriable: true });
    expect(await refusal({ code: 'SERVICE_UNAVAILABLE' })).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    // A bug of the node answers the same way until it is fixed.
    expect(await refusal({ code: 'INTERNAL_SERVER_ERROR' })).toMatchObject({ code: 'INTERNAL', retriable: false });
    expect(await refusal({ code: 'BAD_REQUEST' })).toMatchObject({ code: 'BAD_INPUT', retriable: false });
    expect(await refusal({ code: 'NOT_FOUND' }, 'no block 9')).toMatchObject({ code: 'NOT_FOUND', message: 'no block 9' });
    for (const [trpcCode, code] of Object.entries(TRPC_FALLBACK_CODES) as [TrpcCode, ErrorCode][]) {
      expect(await refusal({ code: trpcCode }), trpcCode).toMatchObject({ code, retriable: ERROR_CATALOG[code].retriable });
    }
  });

  it('keeps the node’s code, and takes retriable from the catalogue for every code it knows', async () => {
    expect(await refusal({ code: 'TOO_MANY_REQUESTS', appCode: 'MEMPOOL_ACCOUNT_FULL', retriable: true })).toMatchObject({
      code: 'MEMPOOL_ACCOUNT_FULL',
      retriable: true,
    });
    // One answer per code, whatever a node of another version claims.
    expect(await refusal({ code: 'BAD_REQUEST', appCode: 'FEE_TOO_LOW', retriable: true })).toMatchObject({ retriable: false });
    // A code the catalogue does not know (a blocklet's own) keeps the node's flag.
    expect(await refusal({ code: 'BAD_REQUEST', appCode: 'MY_OWN_CODE', retriable: true })).toMatchObject({ retriable: true });
    expect(await refusal({ code: 'BAD_REQUEST', appCode: 'MY_OWN_CODE' })).toMatchObject({ retriable: false });
  });

  it('rebuilds a gateway ack refusal and a blocklet route’s error body the same way', () => {
    expect(() => rejectAck({ ok: false, code: 'RATE_LIMITED', message: 'slow down' })).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED', retriable: true, message: 'slow down' }),
    );
    expect(() => rejectAck({ ok: false, code: 'TOO_MANY_SUBSCRIPTIONS', message: 'too many', retriable: true })).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_SUBSCRIPTIONS', retriable: false }),
    );
    expect(fromErrorBody({ error: { code: 'BLOCKLET_TIMEOUT', message: 'slow', retriable: true } })).toMatchObject({
      code: 'BLOCKLET_TIMEOUT',
      retriable: ERROR_CATALOG.BLOCKLET_TIMEOUT.retriable,
    });
    expect(fromErrorBody('<html>')).toMatchObject({ code: 'BAD_RESPONSE', retriable: false });
  });

  it('reconnects after exactly the handshake refusals the catalogue marks retriable', () => {
    for (const code of ['RATE_LIMITED', 'RESTARTING', 'UNAVAILABLE']) expect(RETRIABLE_CONNECT_CODES.has(code), code).toBe(true);
    for (const code of ['UNAUTHORIZED', 'FORBIDDEN', 'INTERNAL']) expect(RETRIABLE_CONNECT_CODES.has(code), code).toBe(false);
  });

  it('reads its own codes’ flags and default sentences from the catalogue', () => {
    for (const [code, retriable] of Object.entries(CLIENT_ERRORS)) expect(retriable, code).toBe(ERROR_CATALOG[code as ErrorCode].retriable);
    expect(new ClientError('NETWORK')).toMatchObject({ retriable: true, message: ERROR_CATALOG.NETWORK.sentence });
    expect(new ClientError('PROOF_INVALID', 'the proof does not verify').retriable).toBe(false);
  });
});
