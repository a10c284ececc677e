import { toHex } from '../bytes.ts';
import { sha3 } from '../crypto/provider.ts';
import { CodecError, type Reader, Writer } from '../encoding/codec.ts';
import type { Approval, EconomyItx } from './economy-types.ts';
import { BILL_LINE_KINDS, ECONOMY_LIMITS, TOKEN_POLICIES, TX_LIMITS } from './limits.ts';

/** The economy's inner transactions in the canonical encoding (tx-codec.ts writes the tag, this the fields). */

const L = TX_LIMITS;
const E = ECONOMY_LIMITS;
/** Approval digests start with 'A' and open-application consents with 'O': neither can pass for a transaction. */
const APPROVAL_DOMAIN = 0x41;
const OPEN_APPLICATION_DOMAIN = 0x4f;

function writeApprovals(w: Writer, approvals: Approval[]): void {
  w.uint(approvals.length);
  for (const a of approvals) w.string(a.did).fixed(a.publicKey, 32).fixed(a.signature, 64);
}

function readApprovals(r: Reader): Approval[] {
  return Array.from({ length: r.count(E.approvalsMax) }, () => ({
    did: r.string(L.didBytes),
    publicKey: r.fixed(32),
    signature: r.fixed(64),
  }));
}

function enumIndex(list: readonly string[], value: string, what: string): number {
  const i = list.indexOf(value);
  if (i < 0) throw new CodecError(`unknown ${what}: ${value}`);
  return i;
}

function enumAt<T>(list: readonly T[], index: number, what: string): T {
  const value = list[index];
  if (value === undefined) throw new CodecError(`unknown ${what} ${index}`);
  return value;
}

/** Writes the fields of an economy inner transaction (`withApprovals` false: the bytes approvers sign). */
export function writeEconomyItx(w: Writer, itx: EconomyItx, withApprovals = true): void {
  switch (itx.type) {
    case 'stake':
    case 'unstake':
      w.big(itx.amount);
      return;
    case 'withdrawStake':
      return;
    case 'slash':
      w.string(itx.offender).big(itx.amount).fixed(itx.evidenceHash, 32).string(itx.reason);
      writeApprovals(w, withApprovals ? itx.approvals : []);
      return;
    case 'openApplication':
      w.string(itx.application).fixed(itx.applicationKey, 32).fixed(itx.applicationSignature, 64).big(itx.deposit);
      return;
    case 'fundApplication':
    case 'withdrawDeposit':
      w.string(itx.application).big(itx.amount);
      return;
    case 'settle':
      w.uint(itx.period).uint(itx.bills.length);
      for (const bill of itx.bills) {
        w.string(bill.application).uint(bill.lines.length);
        for (const line of bill.lines)
          w.u8(enumIndex(BILL_LINE_KINDS, line.kind, 'bill line kind'))
            .string(line.payee)
            .big(line.amount);
      }
      return;
    case 'issueToken':
      w.string(itx.symbol).string(itx.name).u8(itx.decimals).big(itx.initialSupply);
      w.u8(enumIndex(TOKEN_POLICIES, itx.policy, 'token policy')).big(itx.cap);
      return;
    case 'mintToken':
      w.string(itx.token).string(itx.to).big(itx.amount);
      return;
    case 'burnToken':
      w.string(itx.token).big(itx.amount);
      return;
    case 'bridgeLock':
      w.big(itx.amount).string(itx.ethAddress);
      return;
    case 'bridgeRelease':
      w.fixed(itx.ethTxHash, 32).uint(itx.logIndex).string(itx.to).big(itx.amount);
      writeApprovals(w, withApprovals ? itx.approvals : []);
      return;
  }
}

/** Reads the fields of the economy inner transaction of the given type. */
export function readEconomyItx(r: Reader, type: EconomyItx['type']): EconomyItx {
  switch (type) {
    case 'stake':
    case 'unstake':
      return { type, amount: r.big() };
    case 'withdrawStake':
      return { type };
    case 'slash':
      return {
        type,
        offender: r.string(L.didBytes),
        amount: r.big(),
        evidenceHash: r.fixed(32),
        reason: r.string(E.slashReasonBytes),
        approvals: readApprovals(r),
      };
    case 'openApplication':
      return { type, application: r.string(L.didBytes), applicationKey: r.fixed(32), applicationSignature: r.fixed(64), deposit: r.big() };
    case 'fundApplication':
    case 'withdrawDeposit':
      return { type, application: r.string(L.didBytes), amount: r.big() };
    case 'settle': {
      const period = r.uint();
      const bills = Array.from({ length: r.count(E.billsMax) }, () => ({
        application: r.string(L.didBytes),
        lines: Array.from({ length: r.count(E.billLinesMax) }, () => ({
          kind: enumAt(BILL_LINE_KINDS, r.u8(), 'bill line kind'),
          payee: r.string(L.didBytes),
          amount: r.big(),
        })),
      }));
      return { type, period, bills };
    }
    case 'issueToken':
      return {
        type,
        symbol: r.string(L.symbolBytes),
        name: r.string(L.tokenNameBytes),
        decimals: r.u8(),
        initialSupply: r.big(),
        policy: enumAt(TOKEN_POLICIES, r.u8(), 'token policy'),
        cap: r.big(),
      };
    case 'mintToken':
      return { type, token: r.string(L.didBytes), to: r.string(L.didBytes), amount: r.big() };
    case 'burnToken':
      return { type, token: r.string(L.didBytes), amount: r.big() };
    case 'bridgeLock':
      return { type, amount: r.big(), ethAddress: r.string(42) };
    case 'bridgeRelease':
      return {
        type,
        ethTxHash: r.fixed(32),
        logIndex: r.uint(),
        to: r.string(L.didBytes),
        amount: r.big(),
        approvals: readApprovals(r),
      };
  }
}

/**
 * What each approver of a slash or a bridge release signs: SHA3-256 of the chain id and the inner transaction
 * without its approvals, so an approval counts for this one action on this one chain only.
 */
export function approvalDigest(chainId: string, itx: EconomyItx): Uint8Array {
  const w = new Writer().u8(APPROVAL_DOMAIN).string(chainId).string(itx.type);
  writeEconomyItx(w, itx, false);
  return sha3(w.finish());
}

/** What an application's key signs to consent to billing under an owner on a chain. */
export function openApplicationDigest(chainId: string, application: string, owner: string): Uint8Array {
  return sha3(new Writer().u8(OPEN_APPLICATION_DOMAIN).string(chainId).string(application).string(owner).finish());
}

/** The receipt id that keeps one evidence from slashing twice. */
export function slashReceiptId(evidenceHash: Uint8Array): string {
  return `slash:${toHex(evidenceHash)}`;
}

/** The receipt id that keeps one Ethereum burn from releasing twice. */
export function burnReceiptId(ethTxHash: Uint8Array, logIndex: number): string {
  return `burn:${toHex(ethTxHash)}:${logIndex}`;
}
