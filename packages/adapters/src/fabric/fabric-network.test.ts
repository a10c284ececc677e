import { isOcapError } from '@arc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamReader } from '../conformance/reader.ts';
import { createFabricAdapter, type FabricAdapter } from './adapter.ts';
import { fabricConfigFromEnv } from './config.ts';

/**
 * The adapter against a real Fabric network (peer v2.4+ with the gateway enabled), only when the environment names
 * one: FABRIC_GATEWAY_URL (grpcs://peer0.org1.example.com:7051), FABRIC_CHANNEL, FABRIC_MSP_ID, FABRIC_MSP_DIR (or
 * FABRIC_CERT_PATH + FABRIC_KEY_PATH), FABRIC_TLS_CA_PATH and FABRIC_TLS_SERVER_NAME for TLS, FABRIC_CHAINCODE (the
 * token chaincode, default token). Reads only, unless FABRIC_ALLOW_WRITES=1: then it sends 1 unit of the token from
 * the identity to itself (its balance is unchanged) and waits for its event.
 */
const config = fabricConfigFromEnv(process.env);
const writes = process.env.FABRIC_ALLOW_WRITES === '1';

describe.skipIf(!config)(
  'fabric adapter against a real network (skipped: set FABRIC_GATEWAY_URL, FABRIC_CHANNEL, FABRIC_MSP_ID, FABRIC_MSP_DIR)',
  () => {
    let adapter: FabricAdapter;

    beforeAll(async () => {
      adapter = createFabricAdapter({ ...(config as NonNullable<typeof config>), pollMs: 500 });
      await adapter.native.connect();
    }, 60_000);
    afterAll(async () => {
      await adapter?.close();
    });

    it('reads chain info and blocks by height and by hash alike', async () => {
      const info = await adapter.info();
      expect(info.chainId).toMatch(/^fabric:[0-9a-f]{32}$/);
      const latest = await adapter.getLatestBlock();
      expect(await adapter.getBlock({ hash: latest.hash })).toEqual(latest);
      expect((await adapter.native.chainInfo()).currentBlockHash).toBe(latest.hash);
      if (latest.height > 0) expect((await adapter.getBlock({ height: latest.height - 1 })).hash).toBe(latest.parentHash);
      for (const txId of latest.txHashes.slice(0, 3)) expect((await adapter.getTransaction(txId)).blockHeight).toBe(latest.height);
    });

    it("reads the token chaincode and the identity's balance", async () => {
      const me = await adapter.native.identity();
      try {
        const token = await adapter.getTokenInfo(adapter.native.chaincode);
        expect(token.symbol.length).toBeGreaterThan(0);
      } catch (error) {
        // A network without the token chaincode still passes the reads above.
        if (!isOcapError(error, 'NOT_FOUND')) throw error;
        return;
      }
      expect(typeof (await adapter.getBalance(me.address))).toBe('bigint');
    });

    it.skipIf(!writes)(
      'sends 1 unit to itself and sees its Transfer event (FABRIC_ALLOW_WRITES=1)',
      async () => {
        const me = await adapter.native.identity();
        const before = await adapter.getBalance(me.address);
        expect(before).toBeGreaterThan(0n);
        const fromHeight = (await adapter.getLatestBlock()).height + 1;
        const sent = await adapter.transfer(me, { to: me.address, amount: 1n });
        const tx = await adapter.waitForTransaction(sent.hash, { timeoutMs: 120_000 });
        expect(tx).toMatchObject({ status: 'success', from: me.address, to: me.address, value: 1n });
        expect(await adapter.getBalance(me.address)).toBe(before);
        const reader = new StreamReader(adapter.events({ fromHeight, filter: { addresses: [me.address] } }));
        try {
          const [event] = await reader.take(1, 120_000);
          expect(event?.txHash).toBe(sent.hash);
        } finally {
          reader.close();
        }
      },
      300_000,
    );
  },
);
