/** The rows of the chains page's capability matrix: each OCAP capability in words, in the order the levels go. */
export const CAPABILITY_ROWS = [
  { key: 'accounts', label: 'Accounts', hint: 'CAIP-10 account ids and address checks (level 2)' },
  { key: 'tokens', label: 'Tokens', hint: 'Fungible tokens besides the native coin: info, balances, transfers (level 2)' },
  { key: 'assets', label: 'Assets', hint: 'Non-fungible assets: owner, transfer (level 2)' },
  { key: 'events', label: 'Event stream', hint: 'Resumable events with confirmations and reorg removals (level 2)' },
  { key: 'reorgs', label: 'Reorgs', hint: 'The chain can reorganise (forks); instant finality says no' },
  { key: 'native', label: 'Native calls', hint: 'Chain-specific calls through the adapter (level 3)' },
] as const;

export type CapabilityKey = (typeof CAPABILITY_ROWS)[number]['key'];
export type CapabilityValue = 'native' | 'emulated' | false;

/** How a cell of the matrix reads, for eyes and for screen readers. */
export function capabilityCell(value: CapabilityValue): { mark: string; words: string } {
  if (value === 'native') return { mark: '✓', words: 'supported natively' };
  if (value === 'emulated') return { mark: '≈', words: 'emulated by the adapter' };
  return { mark: '—', words: 'not supported' };
}

/** A CAIP-2 id's namespace in words: what kind of chain it is. */
export function chainFamily(caip2: string | undefined): string | null {
  const namespace = caip2?.split(':')[0];
  if (namespace === 'eip155') return 'EVM';
  if (namespace === 'bip122') return 'Bitcoin';
  if (namespace === 'arc') return 'Arc ledger';
  if (namespace === 'mock') return 'Mock (in memory)';
  if (namespace === 'fabric') return 'Hyperledger Fabric';
  return null;
}
