import type { Metadata } from 'next';
import { connection } from 'next/server';
import { env } from '../../../../env.ts';
import type { ConsensusStatus } from '../../../../explorer/consensus-tables.tsx';
import type { Processes } from '../../../../explorer/network-tables.tsx';
import { NetworkView } from '../../../../explorer/network-view.tsx';
import { nodeApi } from '../../../../explorer/node-api.ts';

export const metadata: Metadata = {
  title: 'Network · Explorer',
  description: 'How the validators agree on each block, this node and its peers, and the processes of the node.',
};

/** The first paint comes with the node's answer; a node that does not answer leaves it to the page to say so. */
async function load<T>(what: string, call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    console.warn(`explorer network: the node at ${env.NODE_URL} did not answer ${what}:`, error instanceof Error ? error.message : error);
    return null;
  }
}

export default async function NetworkPage() {
  // Rendered per request, so NODE_URL is the running server's, not the one at build time.
  await connection();
  const api = nodeApi();
  const [processes, consensus] = await Promise.all([
    load<Processes>('chain.processes', api.chain.processes.query()),
    load<ConsensusStatus>('consensus.status', api.consensus.status.query()),
  ]);
  return <NetworkView nodeUrl={env.NODE_URL} initial={processes} initialConsensus={consensus} />;
}
