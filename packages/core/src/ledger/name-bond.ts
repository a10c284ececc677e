import { cloneStake, emptyStake, nameBondRequired } from './economy-state.ts';
import type { StakeState } from './economy-types.ts';
import { type LedgerError, ledgerError } from './errors.ts';
import type { Overlay } from './state.ts';

/**
 * Component names are backed by bonded stake (issue: token economy): an account owning N names keeps at least
 * N × publishStake bonded. Nothing moves from its balance; the bond stays slashable, and a slash that leaves it short
 * only stops new names until the owner stakes again.
 */

/** The native token's decimals (the genesis schema fixes ABT at 18), for amounts in the sentences. */
const NATIVE_DECIMALS = 18;

/** An amount in the smallest unit as ABT ("1.5 ABT"), exactly. */
export function formatAbt(amount: bigint): string {
  const digits = amount.toString().padStart(NATIVE_DECIMALS + 1, '0');
  const whole = digits.slice(0, digits.length - NATIVE_DECIMALS);
  const fraction = digits.slice(digits.length - NATIVE_DECIMALS).replace(/0+$/, '');
  return `${fraction === '' ? whole : `${whole}.${fraction}`} ABT`;
}

function namesPhrase(names: number): string {
  return `${names} ${names === 1 ? 'name' : 'names'}`;
}

/** STAKE_TOO_LOW with the bond the names need, what is bonded and how much more to stake. */
function stakeTooLow(doing: string, names: number, required: bigint, stake: StakeState, who: string): LedgerError {
  return ledgerError(
    'STAKE_TOO_LOW',
    `${doing} needs ${formatAbt(required)} bonded for ${namesPhrase(names)}; ${who} ${formatAbt(stake.bonded)} bonded: stake ${formatAbt(required - stake.bonded)} more`,
  );
}

/**
 * Counts one more name on `did`'s stake, refusing unless its bonded stake covers every name it would then own.
 * `doing` and `who` word the refusal ("publishing a new name", "you have").
 */
export function bondOneMoreName(s: Overlay, did: string, publishStake: bigint, doing: string, who: string): LedgerError | null {
  const stake = cloneStake(s.stake(did) ?? emptyStake(did));
  const names = stake.names + 1;
  const required = nameBondRequired(names, publishStake);
  if (stake.bonded < required) return stakeTooLow(doing, names, required, stake, who);
  stake.names = names;
  s.put({ kind: 'stake', value: stake });
  return null;
}

/** Counts one name fewer on `did`'s stake (the name went to another owner). */
export function releaseOneName(s: Overlay, did: string): void {
  const before = s.stake(did);
  // Names published under the old rule (a locked component stake) were never counted on the bond.
  if (!before || before.names === 0) return;
  s.put({ kind: 'stake', value: { ...cloneStake(before), names: before.names - 1 } });
}

/** Refuses an unstake of `amount` that would leave `stake` bonded below what its names need. */
export function checkUnstakeKeepsNames(stake: StakeState, amount: bigint, publishStake: bigint): LedgerError | null {
  const required = nameBondRequired(stake.names, publishStake);
  if (stake.bonded - amount >= required) return null;
  const free = stake.bonded > required ? stake.bonded - required : 0n;
  return ledgerError(
    'STAKE_TOO_LOW',
    `your ${namesPhrase(stake.names)} need ${formatAbt(required)} bonded; unstaking ${formatAbt(amount)} of your ${formatAbt(stake.bonded)} would leave less: unstake at most ${formatAbt(free)}, or transfer names away first`,
  );
}
