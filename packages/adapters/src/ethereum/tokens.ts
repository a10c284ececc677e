import { type AssetInfo, isOcapError, OcapError, type TokenInfo } from '@arc/core';
import { getAddress, Interface } from 'ethers';
import { formatAssetId } from './convert.ts';
import type { EthereumRpc } from './rpc.ts';

/** The ERC-20 calls the adapter makes. */
export const ERC20_ABI = new Interface([
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address owner) view returns (uint256)',
  'function transfer(address to, uint256 amount) returns (bool)',
]);

/** The ERC-721 calls the adapter makes. */
export const ERC721_ABI = new Interface([
  'function ownerOf(uint256 tokenId) view returns (address)',
  'function tokenURI(uint256 tokenId) view returns (string)',
  'function transferFrom(address from, address to, uint256 tokenId)',
]);

/** Gas estimates get this much headroom (percent) against state changing between estimate and inclusion. */
export const GAS_MARGIN_PERCENT = 20n;

/** Reads ERC-20 and ERC-721 state with eth_call; calls issued together travel as one batch. */
export class TokenReader {
  constructor(readonly rpc: EthereumRpc) {}

  /** Calls `fn` on `contract` and decodes the single result; NOT_FOUND when no contract answers it. */
  async call<T>(abi: Interface, contract: string, fn: string, args: unknown[]): Promise<T> {
    const data = abi.encodeFunctionData(fn, args);
    const result = await this.rpc.call<string>('eth_call', [{ to: contract, data }, 'latest']);
    if (result === '0x') throw new OcapError('NOT_FOUND', `${contract} has no contract answering ${fn}() on ${this.rpc.caip2}.`);
    try {
      return abi.decodeFunctionResult(fn, result)[0] as T;
    } catch (error) {
      throw new OcapError('NOT_FOUND', `${contract} answered ${fn}() with something that is not an ERC-20/721 result.`, { cause: error });
    }
  }

  async tokenInfo(token: string): Promise<TokenInfo> {
    const [name, symbol, decimals, totalSupply] = await Promise.all([
      this.call<string>(ERC20_ABI, token, 'name', []),
      this.call<string>(ERC20_ABI, token, 'symbol', []),
      this.call<bigint>(ERC20_ABI, token, 'decimals', []),
      this.call<bigint>(ERC20_ABI, token, 'totalSupply', []),
    ]);
    return { address: token, name, symbol, decimals: Number(decimals), totalSupply };
  }

  tokenBalance(token: string, owner: string): Promise<bigint> {
    return this.call<bigint>(ERC20_ABI, token, 'balanceOf', [owner]);
  }

  /** Owner and token URI; the URI is null when the contract has none (no metadata extension, or empty). */
  async asset(contract: string, tokenId: bigint): Promise<AssetInfo> {
    const [owner, uri] = await Promise.all([
      this.call<string>(ERC721_ABI, contract, 'ownerOf', [tokenId]),
      this.call<string>(ERC721_ABI, contract, 'tokenURI', [tokenId]).catch((error: unknown) => {
        if (isOcapError(error) && !error.retriable) return null;
        throw error;
      }),
    ]);
    return { id: formatAssetId(contract, tokenId), owner: getAddress(owner), uri: uri ? uri : null };
  }

  /** eth_estimateGas plus GAS_MARGIN_PERCENT; a revert here is mapped (OZ custom errors → their codes) before any nonce is used. */
  async estimateGas(from: string, to: string, data: string): Promise<bigint> {
    const gas = BigInt(await this.rpc.call<string>('eth_estimateGas', [{ from, to, data }]));
    return gas + (gas * GAS_MARGIN_PERCENT) / 100n;
  }
}
