'use client';

import { buildTx, txHashHex, type Wallet } from '@arc/client';
import type { Itx } from '@arc/core';
import { useMemo } from 'react';
import { nodeClient, useWallet } from '../wallet/index.ts';

export interface MarketTxRequest {
  title: string;
  details: { label: string; value: string }[];
  itx: (signer: Wallet) => Itx;
}

/**
 * Signs one marketplace transaction (review, reply, report) with the wallet's consent dialog, sends it and waits
 * until its block commits; a rejection throws the ledger's typed error (its code and sentence).
 */
export function useMarketTx() {
  const wallet = useWallet();
  return useMemo(
    () => ({
      async submit(request: MarketTxRequest) {
        const client = nodeClient();
        const info = await client.chainInfo();
        const tx = await wallet.signWithConsent({
          title: request.title,
          origin: 'Marketplace',
          details: [...request.details, { label: 'Fee', value: `${info.params.minFee} (smallest ABT units), paid by you` }],
          sign: async (signer) => {
            const nonce = await client.nextNonce(signer.did);
            return signer.signTx(
              buildTx({ chainId: info.chainId, wallet: signer, nonce, fee: info.params.minFee, itx: request.itx(signer) }),
            );
          },
        });
        const result = await client.send(tx);
        return { hash: txHashHex(tx), height: result.height };
      },
    }),
    [wallet],
  );
}
