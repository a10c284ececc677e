import { connection } from 'next/server';
import { env } from '../../env.ts';
import { Explorer } from '../../explorer/explorer.tsx';

export default async function ExplorerPage() {
  // Rendered per request, so NODE_URL is the running server's, not the one at build time.
  await connection();
  return <Explorer nodeUrl={env.NODE_URL} />;
}
