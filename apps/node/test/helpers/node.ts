import { afterAll, beforeAll } from 'vitest';
import { devKey } from '../../src/config/dev-keys.ts';
import type { CommitBlock } from '../../src/ledger/store.ts';
import type { NodeOptions } from '../../src/node.ts';
import { startTestNode, type TestDriver, type TestNode } from '../../src/testing.ts';
import { type NodeClient, nodeClient } from './client.ts';
import { Wallet } from './wallet.ts';

export interface NodeContext {
  node: TestNode;
  client: NodeClient;
  /** A funded dev account that pays for each test's own accounts. */
  alice: Wallet;
}

/** One test node for the enclosing describe block: started before its tests, stopped and dropped after. */
export function useTestNode(driver: TestDriver, overrides: Partial<NodeOptions> = {}): NodeContext {
  const context = {} as NodeContext;
  beforeAll(async () => {
    context.node = await startTestNode({ driver, ...overrides });
    context.client = nodeClient(context.node.url);
    context.alice = new Wallet(context.client, context.node.chainId, devKey('alice'));
  });
  afterAll(() => context.node?.stop());
  return context;
}

/**
 * Holds every block commit of an in-process node until the returned release() is called, so a
 * test can look at the node while a block is in flight (or admit a batch that no commit interleaves).
 */
export function holdBlockCommits(node: TestNode): () => void {
  const { store } = node.services.ledger;
  const commitBlock = store.commitBlock.bind(store);
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  store.commitBlock = async (block: CommitBlock) => {
    await gate;
    return commitBlock(block);
  };
  return () => {
    store.commitBlock = commitBlock;
    open();
  };
}
