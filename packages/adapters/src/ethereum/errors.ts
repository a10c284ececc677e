import { isOcapError, OcapError, type OcapErrorCode } from '@arc/core';
import { Interface, isError } from 'ethers';

/** Custom errors of OpenZeppelin 5 tokens, and Solidity's own, so a revert can say why in our taxonomy. */
const REVERT_ERRORS = new Interface([
  'error Error(string reason)',
  'error Panic(uint256 code)',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
  'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
  'error ERC20InvalidReceiver(address receiver)',
  'error ERC20InvalidSender(address sender)',
  'error ERC721InsufficientApproval(address operator, uint256 tokenId)',
  'error ERC721IncorrectOwner(address sender, uint256 tokenId, address owner)',
  'error ERC721NonexistentToken(uint256 tokenId)',
  'error ERC721InvalidReceiver(address receiver)',
  'error ERC721InvalidSender(address sender)',
  'error OwnableUnauthorizedAccount(address account)',
]);

const REVERT_CODES: Record<string, OcapErrorCode> = {
  ERC20InsufficientBalance: 'INSUFFICIENT_FUNDS',
  ERC20InsufficientAllowance: 'FORBIDDEN',
  ERC20InvalidReceiver: 'INVALID_ADDRESS',
  ERC721InsufficientApproval: 'FORBIDDEN',
  ERC721IncorrectOwner: 'FORBIDDEN',
  ERC721NonexistentToken: 'NOT_FOUND',
  ERC721InvalidReceiver: 'INVALID_ADDRESS',
  OwnableUnauthorizedAccount: 'FORBIDDEN',
};

/** Where an error happened, for the message and the error's chain id. */
export interface ErrorContext {
  /** What the adapter was doing, e.g. "eth_sendRawTransaction" or "transfer". */
  action: string;
  chainId?: string;
}

/** Maps anything an ethers provider or a node throws onto the OCAP taxonomy, keeping the original as `cause`. */
export function toOcapError(error: unknown, context: ErrorContext): OcapError {
  if (isOcapError(error)) return error;
  const make = (code: OcapErrorCode, message: string) => new OcapError(code, message, { cause: error, chainId: context.chainId });
  const text = messagesOf(error).join(' | ');
  const lower = text.toLowerCase();
  const where = `${context.action} on ${context.chainId ?? 'ethereum'}`;

  if (isError(error, 'INSUFFICIENT_FUNDS') || lower.includes('insufficient funds')) {
    return make('INSUFFICIENT_FUNDS', `The sender cannot pay the value plus the gas (${where}): ${text}`);
  }
  if (isError(error, 'NONCE_EXPIRED') || /nonce too low|nonce has already been used/.test(lower)) {
    return make('NONCE_TOO_LOW', `The nonce was already used by another transaction of this sender (${where}): ${text}`);
  }
  if (isError(error, 'REPLACEMENT_UNDERPRICED') || lower.includes('replacement transaction underpriced')) {
    return make('NONCE_TOO_LOW', `Another pending transaction of this sender holds this nonce (${where}): ${text}`);
  }
  if (/already known|already imported|known transaction/.test(lower)) {
    return make('KNOWN_TRANSACTION', `The node already holds this transaction (${where}).`);
  }
  if (/max fee per gas less than block base fee|fee cap less than block base fee|transaction underpriced|fee too low/.test(lower)) {
    return make('FEE_TOO_LOW', `The fee is below what the chain accepts now (${where}): ${text}`);
  }
  if (isError(error, 'CALL_EXCEPTION') || lower.includes('execution reverted') || lower.includes('revert')) {
    return revertError(error, revertDataOf(error), where, text, context.chainId);
  }
  if (isError(error, 'TIMEOUT') || lower.includes('timeout') || lower.includes('timed out')) {
    return make('TIMEOUT', `The node did not answer in time (${where}); the call may still have taken effect.`);
  }
  if (isError(error, 'UNSUPPORTED_OPERATION') && lower.includes('provider destroyed')) {
    return make('UNAVAILABLE', `The adapter was closed (${where}).`);
  }
  if (
    isError(error, 'NETWORK_ERROR') ||
    isError(error, 'SERVER_ERROR') ||
    /econnrefused|econnreset|enotfound|socket|fetch failed|network/.test(lower)
  ) {
    return make('UNAVAILABLE', `The Ethereum node cannot be reached or failed (${where}): ${text}`);
  }
  if (rpcCodeOf(error) === -32601) {
    return make('INVALID_ARGUMENT', `The node does not offer this method (${where}): ${text}`);
  }
  if (isError(error, 'INVALID_ARGUMENT') || rpcCodeOf(error) === -32602) {
    return make('INVALID_ARGUMENT', `The node refused the arguments (${where}): ${text}`);
  }
  return make('INTERNAL', `Unexpected answer from the Ethereum node (${where}): ${text || String(error)}`);
}

/** An OcapError for a contract revert: OZ custom errors get their own code, anything else is REVERTED with its reason. */
export function revertError(cause: unknown, data: string | undefined, where: string, fallback: string, chainId?: string): OcapError {
  const make = (code: OcapErrorCode, message: string) => new OcapError(code, message, { cause, chainId });
  const decoded = data ? decodeRevert(data) : undefined;
  if (!decoded) return make('REVERTED', `The contract reverted (${where}): ${fallback || 'no reason given'}`);
  const code = REVERT_CODES[decoded.name] ?? 'REVERTED';
  return make(code, `The contract refused with ${decoded.text} (${where}).`);
}

/** Decodes revert data (an Error(string), a Panic or a known custom error); undefined when unknown. */
export function decodeRevert(data: string): { name: string; text: string } | undefined {
  try {
    const parsed = REVERT_ERRORS.parseError(data);
    if (!parsed) return undefined;
    if (parsed.name === 'Error') return { name: 'Error', text: `"${String(parsed.args[0])}"` };
    return { name: parsed.name, text: `${parsed.name}(${parsed.args.map(String).join(', ')})` };
  } catch {
    // Data that matches no known error selector: the caller reports the revert without a decoded reason.
    return undefined;
  }
}

function messagesOf(error: unknown): string[] {
  const out: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const e = current as { shortMessage?: unknown; message?: unknown; info?: { error?: unknown }; error?: unknown };
    const message = typeof e.shortMessage === 'string' ? e.shortMessage : typeof e.message === 'string' ? e.message : undefined;
    if (message && !out.includes(message)) out.push(message);
    const inner = e.info?.error ?? e.error;
    const innerMessage = (inner as { message?: unknown } | undefined)?.message;
    if (typeof innerMessage === 'string' && !out.includes(innerMessage)) out.push(innerMessage);
    current = inner ?? (e as { cause?: unknown }).cause;
  }
  if (out.length === 0 && error !== undefined) out.push(String(error));
  return out;
}

function revertDataOf(error: unknown): string | undefined {
  const e = error as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } } | undefined;
  for (const candidate of [e?.data, e?.info?.error?.data, e?.error?.data]) {
    if (typeof candidate === 'string' && /^0x[0-9a-fA-F]*$/.test(candidate) && candidate.length >= 10) return candidate;
    const nested = (candidate as { data?: unknown } | undefined)?.data;
    if (typeof nested === 'string' && /^0x[0-9a-fA-F]*$/.test(nested) && nested.length >= 10) return nested;
  }
  return undefined;
}

function rpcCodeOf(error: unknown): number | undefined {
  const e = error as { info?: { error?: { code?: unknown } }; error?: { code?: unknown } } | undefined;
  const code = e?.info?.error?.code ?? e?.error?.code;
  return typeof code === 'number' ? code : undefined;
}
