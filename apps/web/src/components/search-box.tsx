import { SearchSuggestions } from '../explorer/search-suggestions.tsx';

/**
 * The header's one box for a hash, DID, height, token symbol or blocklet name: the explorer's search with
 * suggestions as you type (a plain GET form to /explorer/search underneath, so it works without JavaScript).
 */
export function SearchBox({ id, className = '' }: { id: string; className?: string }) {
  return <SearchSuggestions id={id} variant="header" className={className} />;
}
