import { afterAll, beforeAll } from 'vitest';
import { devKey } from '../../src/config/dev-keys.ts';
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
