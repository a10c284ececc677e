import { OcapError } from './errors.ts';

/** A CAIP-2 chain id, `namespace:reference` (e.g. `eip155:31337`, `bip122:0f9188f13cb7b2c71f2a335e3a4fc328`). */
export type ChainId = `${string}:${string}`;

const NAMESPACE = /^[-a-z0-9]{3,8}$/;
const REFERENCE = /^[-_a-zA-Z0-9]{1,32}$/;
const ACCOUNT = /^[-.%a-zA-Z0-9]{1,128}$/;

/** Parses a CAIP-2 chain id; throws INVALID_ARGUMENT with what is wrong. */
export function parseChainId(value: string): { namespace: string; reference: string } {
  const [namespace, reference, ...rest] = value.split(':');
  if (namespace === undefined || reference === undefined || rest.length > 0 || !NAMESPACE.test(namespace) || !REFERENCE.test(reference)) {
    throw new OcapError('INVALID_ARGUMENT', `"${value}" is not a CAIP-2 chain id; write namespace:reference, e.g. eip155:1.`);
  }
  return { namespace, reference };
}

/** Builds a CAIP-2 chain id, checking both parts. */
export function formatChainId(namespace: string, reference: string): ChainId {
  const id = `${namespace}:${reference}` as ChainId;
  parseChainId(id);
  return id;
}

/** Builds a CAIP-10 account id (`chainId:address`). */
export function formatAccountId(chainId: string, address: string): string {
  parseChainId(chainId);
  if (!ACCOUNT.test(address)) throw new OcapError('INVALID_ADDRESS', `"${address}" cannot be part of a CAIP-10 account id.`);
  return `${chainId}:${address}`;
}

/** Parses a CAIP-10 account id into its chain id and address. */
export function parseAccountId(value: string): { chainId: ChainId; address: string } {
  const last = value.lastIndexOf(':');
  if (last <= 0) throw new OcapError('INVALID_ARGUMENT', `"${value}" is not a CAIP-10 account id; write namespace:reference:address.`);
  const chainId = value.slice(0, last);
  const address = value.slice(last + 1);
  parseChainId(chainId);
  if (!ACCOUNT.test(address)) throw new OcapError('INVALID_ADDRESS', `"${address}" is not a valid CAIP-10 address part.`);
  return { chainId: chainId as ChainId, address };
}
