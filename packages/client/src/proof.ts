import { type AccountState, decodeAccount, decodeProof, fromHex, sha3, stateKey, stateKeyHash, toHex, verifyProof } from '@arc/core';
import { ClientError } from './errors.ts';
import type { AccountResponse } from './schemas.ts';

/** An application token balance of an account. */
export interface TokenBalance {
  address: string;
  symbol: string;
  decimals: number;
  amount: bigint;
}

/** An account as proven against a state root: every number here was checked against the Merkle proof. */
export interface Account {
  did: string;
  exists: boolean;
  moniker: string;
  /** Nonce of the last committed transaction (0 before the first); the next one is nonce + 1. */
  nonce: number;
  publicKey: Uint8Array | null;
  /** ABT in its smallest unit (18 decimals). */
  balance: bigint;
  tokens: TokenBalance[];
  /** The state root the proof was checked against and the height it is the state of. */
  proof: { height: number; stateRoot: string };
}

function invalid(did: string, why: string): ClientError {
  return new ClientError('PROOF_INVALID', `the node's answer for ${did} does not match its proof: ${why}`);
}

const EMPTY_ACCOUNT = (did: string): AccountState => ({
  did,
  publicKey: null,
  moniker: '',
  nonce: 0,
  balance: 0n,
  tokens: new Map(),
});

function decodeValue(did: string, value: string): AccountState {
  try {
    return decodeAccount(fromHex(value));
  } catch (error) {
    if (error instanceof Error) throw invalid(did, `the proven value is not an account (${error.message})`);
    throw error;
  }
}

/** Checks that the response's numbers are the proven ones, so the JSON cannot say something else. */
function compareFields(response: AccountResponse, state: AccountState): string | null {
  if (response.nonce !== state.nonce) return 'nonce differs';
  if (response.balance !== state.balance) return 'balance differs';
  if (response.moniker !== state.moniker) return 'moniker differs';
  if (response.publicKey !== (state.publicKey === null ? null : toHex(state.publicKey))) return 'public key differs';
  const proven = [...state.tokens].filter(([, amount]) => amount > 0n);
  if (response.tokens.length !== proven.length) return 'the list of token balances differs';
  for (const token of response.tokens) {
    if (state.tokens.get(token.address) !== token.amount) return `the balance of token ${token.symbol} differs`;
  }
  return null;
}

/** Verifies account.get's answer for `did` against the Merkle proof it carries; throws PROOF_INVALID if it fails. */
export function verifyAccountResponse(did: string, response: AccountResponse): Account {
  const { proof } = response;
  if (response.did !== did) throw invalid(did, `it is about ${response.did}`);
  const key = stateKey('account', did);
  if (proof.key !== key) throw invalid(did, `the proof is for key "${proof.key}"`);
  if (response.exists !== (proof.value !== null)) throw invalid(did, 'exists does not agree with the proven value');
  const state = proof.value === null ? EMPTY_ACCOUNT(did) : decodeValue(did, proof.value);
  if (state.did !== did) throw invalid(did, `the proven account is ${state.did}`);
  let trieProof: ReturnType<typeof decodeProof>;
  try {
    trieProof = decodeProof(proof);
  } catch (error) {
    if (error instanceof TypeError) throw invalid(did, error.message);
    throw error;
  }
  const valueHash = proof.value === null ? null : sha3(fromHex(proof.value));
  if (proof.stateRoot.length !== 64 || !verifyProof(fromHex(proof.stateRoot), stateKeyHash(key), valueHash, trieProof)) {
    throw invalid(did, 'the Merkle proof does not lead to the state root');
  }
  const mismatch = compareFields(response, state);
  if (mismatch !== null) throw invalid(did, mismatch);
  return {
    did,
    exists: response.exists,
    moniker: state.moniker,
    nonce: state.nonce,
    publicKey: state.publicKey,
    balance: state.balance,
    tokens: response.tokens.map((t) => ({ ...t, amount: state.tokens.get(t.address) ?? 0n })),
    proof: { height: proof.height, stateRoot: proof.stateRoot },
  };
}
