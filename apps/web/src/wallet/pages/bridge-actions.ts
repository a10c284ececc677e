import { bridgeLock, ClientError, type TxResult } from '@arc/client';
import type { BadgeTone } from '@arc/ui';
import { formatAmount } from '@arc/ui';
import { nodeClient } from '../node-client.ts';
import type { WalletContextValue } from '../wallet-provider.tsx';

/** The ledger's native token and the rules a bridge lock is checked against before it is signed. */
export interface BridgeChain {
  symbol: string;
  decimals: number;
  fee: bigint;
  /** Ethereum blocks a mint must be deep before the bridge calls it done. */
  confirmations: number;
}

export type BridgeTransferStatus = 'locked' | 'minting' | 'minted' | 'burned' | 'releasing' | 'released' | 'refused' | 'reorged' | 'failed';

const ETH_ADDRESS_HEX_DIGITS = 40;

/** An Ethereum address as typed (0x and 40 hex digits), lower-cased, or what is wrong with it in words. */
export function parseEthAddress(text: string): { address: string } | { error: string } {
  const typed = text.trim();
  if (typed === '') return { error: 'Type the Ethereum address the ABT should be minted to (0x and 40 hex digits).' };
  if (!/^0x/i.test(typed)) return { error: 'An Ethereum address starts with 0x, then 40 hex digits.' };
  const digits = typed.slice(2);
  const wrong = digits.match(/[^0-9a-fA-F]/)?.[0];
  if (wrong !== undefined) return { error: `An Ethereum address has only hex digits (0–9, a–f) after 0x; “${wrong}” is not one.` };
  if (digits.length !== ETH_ADDRESS_HEX_DIGITS) {
    return { error: `An Ethereum address has 40 hex digits after 0x; this one has ${digits.length}.` };
  }
  return { address: `0x${digits.toLowerCase()}` };
}

/** The lock's id as the bridge names it: 0x and the lock transaction's hash. */
export function lockIdOf(txHash: string): string {
  return `0x${txHash}`;
}

/** Why the ledger would refuse this lock, said before anything is signed, or null. */
export function bridgeRefusal(amount: bigint, balance: bigint, chain: BridgeChain): ClientError | null {
  const t = (value: bigint) => `${formatAmount(value, chain.decimals)} ${chain.symbol}`;
  if (balance < amount + chain.fee) {
    return new ClientError('INSUFFICIENT_FUNDS', `You have ${t(balance)}; bridging ${t(amount)} plus the ${t(chain.fee)} fee needs more.`);
  }
  return null;
}

/** Signs and sends the bridgeLock after the wallet's consent dialog says what happens on both chains. */
export function sendBridgeLock(wallet: WalletContextValue, amount: bigint, ethAddress: string, chain: BridgeChain): Promise<TxResult> {
  const t = (value: bigint) => `${formatAmount(value, chain.decimals)} ${chain.symbol}`;
  const blocks = chain.confirmations === 1 ? '1 confirmation' : `${chain.confirmations} confirmations`;
  return wallet.signWithConsent({
    title: `Bridge ${t(amount)} to Ethereum`,
    details: [
      {
        label: 'What happens',
        value: `Lock ${t(amount)} on Arc; ${t(amount)} will be minted on Ethereum to ${ethAddress} after ${blocks}`,
      },
      { label: 'Fee', value: `${t(chain.fee)}, paid by you` },
    ],
    sign: (signer) => nodeClient().submit(signer, bridgeLock({ amount, ethAddress }), { fee: chain.fee }),
  });
}

/** A transfer's status in words, and the badge tone it is shown in. */
export function bridgeStatusWords(status: BridgeTransferStatus): { label: string; tone: BadgeTone } {
  const words: Record<BridgeTransferStatus, { label: string; tone: BadgeTone }> = {
    locked: { label: 'Locked on Arc', tone: 'sky' },
    minting: { label: 'Minting', tone: 'amber' },
    minted: { label: 'Minted', tone: 'emerald' },
    burned: { label: 'Burned on Ethereum', tone: 'sky' },
    releasing: { label: 'Releasing', tone: 'amber' },
    released: { label: 'Released', tone: 'emerald' },
    refused: { label: 'Refused', tone: 'red' },
    reorged: { label: 'Undone by a reorg', tone: 'red' },
    failed: { label: 'Failed', tone: 'red' },
  };
  return words[status];
}

/** "2 of 2 confirmations" (capped at the number required). */
export function confirmationsWords(confirmations: number, required: number): string {
  return `${Math.min(confirmations, required)} of ${required} confirmation${required === 1 ? '' : 's'}`;
}
