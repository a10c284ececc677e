import type { RouterOutputs } from '../trpc/types.ts';
import { explorerPaths } from './format.ts';

export type Suggestion = RouterOutputs['search']['query']['suggestions'][number];

/** The page a suggestion opens. */
export function suggestionHref(s: Suggestion): string {
  switch (s.kind) {
    case 'block':
      return explorerPaths.block(s.height);
    case 'tx':
      return explorerPaths.tx(s.hash);
    case 'account':
      return explorerPaths.account(s.did);
    case 'token':
      return explorerPaths.token(s.address);
    case 'asset':
      return explorerPaths.asset(s.address);
    case 'blocklet':
      return explorerPaths.blocklet(s.name);
  }
}

const short = (v: string, head = 10, tail = 6) => (v.length > head + tail + 1 ? `${v.slice(0, head)}…${v.slice(-tail)}` : v);

/** What a suggestion is, in words: a kind and a label. */
export function describeSuggestion(s: Suggestion): { kind: string; label: string; detail: string } {
  switch (s.kind) {
    case 'block':
      return { kind: 'Block', label: `#${s.height.toLocaleString('en-US')}`, detail: short(s.hash) };
    case 'tx':
      return { kind: 'Transaction', label: short(s.hash, 12, 8), detail: `in block ${s.height.toLocaleString('en-US')}` };
    case 'account':
      return { kind: 'Account', label: short(s.did, 16, 6), detail: s.exists ? 'on the ledger' : 'no state yet' };
    case 'token':
      return { kind: 'Token', label: s.symbol, detail: s.name };
    case 'asset':
      return { kind: 'Asset', label: short(s.address, 16, 6), detail: '' };
    case 'blocklet':
      return { kind: 'Blocklet', label: s.name, detail: `by ${short(s.owner, 14, 4)}` };
  }
}

/** The one page to open straight away: the single exact match, if there is exactly one. */
export function singleExactMatch(suggestions: Suggestion[]): Suggestion | null {
  const exact = suggestions.filter((s) => s.exact);
  return exact.length === 1 ? (exact[0] ?? null) : null;
}
