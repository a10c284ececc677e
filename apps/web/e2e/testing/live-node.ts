import { startTestBridge, startTestFabric, startTestNode, testGenesis } from '@arc/node/testing';
import { z } from 'zod';
import { E2E_ECONOMY } from '../helpers/economy.ts';

/**
 * The end-to-end tests' node, as apps/node/src/testing-server.ts starts it (fresh database, seeded demo, PORT from the
 * environment), on the dev genesis with the short billing period, grace and unbonding delay of E2E_ECONOMY in its
 * `params.economy`. Prints `node listening on <url>` when ready; drops its database on SIGTERM/SIGINT.
 */
type ChainConfigs = NonNullable<Parameters<typeof startTestNode>[0]>['ocapChains'];

const env = z.object({ PORT: z.coerce.number().int().min(0).max(65535).default(0) }).parse(process.env);
const dev = await testGenesis();
// The ABT ↔ ERC-20 bridge (the wallet's /wallet/bridge) on anvil mining a block a second, so a mint's confirmations
// count up in front of the user: 3 signers (blocklets of the node), 2 to agree, 2 blocks deep. The node reaches anvil
// as its OCAP chain `bridge-anvil`.
const bridge = await startTestBridge({ signers: 3, threshold: 2, confirmations: 2 });
const genesis = {
  ...dev,
  params: { ...dev.params, economy: { ...dev.params.economy, ...E2E_ECONOMY, ...bridge.economy } },
};
// A Hyperledger Fabric channel (the adapters' development peer running the token chaincode, about a second to
// start), which the node reaches as the peer's client identity from its MSP folder: the chains page shows it.
const fabric = await startTestFabric({ name: 'fabric' });
// The chains a node reaches by default (its own ledger and a mock), and one whose RPC endpoint is down (port 9,
// discard, nothing listens) so the explorer shows an unavailable chain too.
const ocapChains: ChainConfigs = [
  { name: 'arc', adapter: 'native' },
  { name: 'mock', adapter: 'mock', blockTimeMs: 1000, balances: {} },
  { name: 'ethereum', adapter: 'ethereum', rpcUrl: 'http://127.0.0.1:9' },
  bridge.chain,
  fabric.chain,
];
const node = await startTestNode({
  port: env.PORT,
  seedDemo: true,
  blockIntervalMs: 1000,
  genesis,
  ocapChains,
  bridge: bridge.bridge,
  log: (l) => console.log(l),
});
console.log(`node listening on ${node.url}`);
const stop = () =>
  node
    .stop()
    .then(() => bridge.stop())
    .then(() => fabric.stop())
    .then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
