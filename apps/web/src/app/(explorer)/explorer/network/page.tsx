import type { Metadata } from 'next';
import { connection } from 'next/server';
import { env } from '../../../../env.ts';
import type { Processes } from '../../../../explorer/network-tables.tsx';
import { NetworkView } from '../../../../explorer/network-view.tsx';
import { nodeApi } from '../../../../explorer/node-api.ts';

export const metadata: Metadata = {
  title: 'Network · Explorer',
  description: 'The processes of the node, which one makes the blocks, and its take-overs.',
};

/** The first paint comes with the node's answer; a node that does not answer leaves it to the page to say so. */
async function load(): Promise<Processes | null> {
  try {
    return await nodeApi().chain.processes.query();
  } catch (error) {
    console.warn(`explorer network: the node at ${env.NODE_URL} did not answer:`, error instanceof Error ? error.message : error);
    return null;
  }
}

export default async function NetworkPage() {
  // Rendered per request, so NODE_URL is the running server's, not the one at build time.
  await connection();
  return <NetworkView nodeUrl={env.NODE_URL} initial={await load()} />;
}
