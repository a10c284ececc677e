/** Types of start-options.mjs (plain JS, run by `npm start` without a build). */
export declare const START_FLAGS: string[];
export declare function splitArgs(argv: string[]): { anvil: boolean; nodeArgs: string[] };
export declare function localChainsPlan(
  env: Record<string, string | undefined>,
  options: { anvil: boolean },
): { anvil: boolean; regtest: boolean; skipped: string[] };
export declare function webOrigins(webPort: number): string[];
export declare function nodeEnv(
  env: Record<string, string | undefined>,
  options: { port: number; host: string; dataDir?: string; webPort: number; chainsEnv: Record<string, string> },
): Record<string, string | undefined>;
export declare function webEnv(env: Record<string, string | undefined>, nodeUrl: string): Record<string, string | undefined>;
export declare function problemLine(problem: { chain: 'ethereum' | 'bitcoin'; error: string }): string;
export declare function chainLines(
  chains: { name: string; adapter: string; status: string; error: string | null; info: { chainId: string } | null }[],
  ethereum: { tokenAddress: string; assetAddress: string } | null,
): string[];
