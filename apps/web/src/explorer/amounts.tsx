import { formatAmount } from '@arc/ui';
import { nativeToken } from '../chain/live.ts';
import { TokenLink } from './links.tsx';

export interface TokenInfo {
  symbol: string;
  decimals: number;
}

/** An amount of the native token as plain text with its symbol ("0.0001 ABT"). */
export function abtText(amount: string): string {
  return `${formatAmount(amount, nativeToken.decimals)} ${nativeToken.symbol}`;
}

/** An amount of the native token, exact; the smallest-unit figure on hover. */
export function Abt({ amount }: { amount: string }) {
  return (
    <span className="tabular-nums" title={`${amount} in the smallest unit`}>
      {formatAmount(amount, nativeToken.decimals)} <span className="text-slate-500 dark:text-slate-400">{nativeToken.symbol}</span>
    </span>
  );
}

/** An amount of an application token with its symbol (linked), or its smallest units when the token is not known. */
export function TokenAmount({ token, amount, tokens }: { token: string; amount: string; tokens: Map<string, TokenInfo> }) {
  const info = tokens.get(token);
  if (!info)
    return (
      <span className="font-mono">
        {amount} (smallest unit of {token})
      </span>
    );
  return (
    <span className="tabular-nums">
      {formatAmount(amount, info.decimals)} <TokenLink address={token} symbol={info.symbol} />
    </span>
  );
}
