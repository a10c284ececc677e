import type { ChainAdapter } from '@arc/core';
import type { QueryInput } from './api-schemas.ts';

/** The OCAP level each query method needs: 1 for chain basics, 2 for the chain as a state machine. */
export const QUERY_LEVELS: Record<QueryInput['method'], 1 | 2> = {
  getLatestBlock: 1,
  getBlock: 1,
  getTransaction: 1,
  getBalance: 1,
  estimateFee: 1,
  accountId: 2,
  getTokenInfo: 2,
  getTokenBalance: 2,
  getAsset: 2,
};

/** Runs one level-1/level-2 read on an adapter. */
export function runQuery(adapter: ChainAdapter, input: QueryInput): Promise<unknown> | unknown {
  switch (input.method) {
    case 'getLatestBlock':
      return adapter.getLatestBlock();
    case 'getBlock':
      return adapter.getBlock(input.height === undefined ? { hash: input.hash as string } : { height: input.height });
    case 'getTransaction':
      return adapter.getTransaction(input.hash);
    case 'getBalance':
      return adapter.getBalance(input.address).then((balance) => ({ balance }));
    case 'estimateFee':
      return adapter.estimateFee({ from: input.from, to: input.to, amount: input.amount });
    case 'accountId':
      return { accountId: adapter.accountId(input.address) };
    case 'getTokenInfo':
      return adapter.getTokenInfo(input.token);
    case 'getTokenBalance':
      return adapter.getTokenBalance(input.token, input.owner).then((balance) => ({ balance }));
    case 'getAsset':
      return adapter.getAsset(input.asset);
  }
}
