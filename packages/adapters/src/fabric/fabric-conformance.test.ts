import { fileURLToPath } from 'node:url';
import { runConformance } from '../conformance/suite.ts';
import { startDevPeer } from '../testing/index.ts';
import { createFabricAdapter } from './adapter.ts';
import { fabricSecretKey } from './identity.ts';

/**
 * The OCAP conformance suite against the Fabric adapter on the development peer (testing/README.md) running the
 * token chaincode twice: `token` as the channel's coin and `gold` as a second token. A Fabric account is an X.509
 * identity issued by the MSP's CA, so fresh accounts come from a pool the peer's CA issues before the suite.
 */
const TOKEN = fileURLToPath(new URL('../../fabric-chaincode/token', import.meta.url));
const POLL_MS = 50;
const IDENTITIES = 150;

runConformance(
  'fabric (development peer)',
  async () => {
    const peer = await startDevPeer({
      chaincodes: [
        { name: 'token', path: TOKEN },
        { name: 'gold', path: TOKEN },
      ],
      blockCutMs: 20,
    });
    const adapter = createFabricAdapter({
      endpoint: peer.endpoint,
      channel: peer.channel,
      mspId: peer.mspId,
      identity: { mspDir: peer.identityDir },
      pollMs: POLL_MS,
    });
    await adapter.native.submit({ fn: 'Initialize', args: ['Arc Fabric Coin', 'AFC', '0'] });
    await adapter.native.submit({ fn: 'Mint', args: [String(10n ** 15n)] });
    await adapter.native.submit({ chaincode: 'gold', fn: 'Initialize', args: ['Gold', 'GLD', '2'] });
    await adapter.native.submit({ chaincode: 'gold', fn: 'Mint', args: ['1000000'] });
    const identities = await Promise.all(Array.from({ length: IDENTITIES }, (_, i) => peer.newIdentity(`conformance${i}`)));
    let next = 0;
    const funded = await adapter.native.identity();
    return {
      adapter,
      funded,
      transferAmount: 1000n,
      unknownTxHash: 'ab'.repeat(32),
      newSecretKey: () => {
        const identity = identities[next];
        next += 1;
        if (!identity) throw new Error(`the conformance suite used more than ${IDENTITIES} fresh identities`);
        return fabricSecretKey(identity);
      },
      // Fabric cuts a block per batch of transactions: a read-only submit per block wanted.
      mine: async (blocks: number) => {
        for (let i = 0; i < blocks; i += 1) await adapter.native.submit({ fn: 'ClientAccountID' });
      },
      token: { address: 'gold', holder: funded, amount: 10_000n },
      signTransfer: (signer, { to, amount }) => adapter.native.prepare({ signer, fn: 'Transfer', args: [to, amount.toString()] }),
      close: () => peer.stop(),
    };
  },
  { pollMs: POLL_MS },
);
