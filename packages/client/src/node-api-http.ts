import { decodeTx, fromHex, type NodeApi, NodeApiError } from '@arc/core';
import type { ArcClient } from './client.ts';
import { ClientError, toClientError } from './errors.ts';
import { BlockSchema } from './schemas.ts';

/** Runs one client call, turning its ClientError into the NodeApi's error (code, retry flag and cause kept). */
async function crossing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const failure = error instanceof ClientError ? error : toClientError(error);
    throw new NodeApiError(failure.code, failure.message, { retriable: failure.retriable, cause: failure });
  }
}

/**
 * The node's API over HTTP, for the native OCAP adapter: `createNativeAdapter({ api: nodeApiOverHttp(client) })`.
 * Every answer is parsed by the client (accounts verified against their Merkle proofs); sends go through
 * `client.send`, so `nextNonce` counts what this client has sent and not yet seen settle.
 */
export function nodeApiOverHttp(client: ArcClient): NodeApi {
  return {
    chainInfo: () => crossing(() => client.chainInfo()),
    getBlock: (height) => crossing(() => client.getBlock(height)),
    getBlockByHash: (hash) =>
      crossing(async () => {
        const raw = await client.trpc.block.byHash.query({ hash });
        const parsed = BlockSchema.safeParse(raw);
        if (!parsed.success) throw new ClientError('BAD_RESPONSE', `the node's answer to block.byHash does not fit the API`);
        return parsed.data;
      }),
    listBlocks: (page) => crossing(() => client.listBlocks(page)),
    listTxs: (page) => crossing(() => client.listTxs(page)),
    getTx: (hash) => crossing(() => client.getTx(hash)),
    getAccount: (did) => crossing(() => client.getAccount(did)),
    nextNonce: (did) => crossing(() => client.nextNonce(did)),
    sendRaw: (txHex) =>
      crossing(async () => {
        let tx: ReturnType<typeof decodeTx>;
        try {
          tx = decodeTx(fromHex(txHex));
        } catch (error) {
          throw new ClientError('BAD_INPUT', `not an encoded transaction: ${(error as Error).message}`, { cause: error });
        }
        const sent = await client.send(tx, { wait: false });
        return { hash: sent.hash, status: sent.status, height: sent.height };
      }),
    getToken: (address) => crossing(() => client.getToken({ address })),
    getAsset: (address) => crossing(() => client.getAsset(address)),
  };
}
