import { type common, peer } from '@hyperledger/fabric-protos';
import { newBlock, sealBlock, transactionsFilter } from './block.ts';
import type { Ledger } from './ledger.ts';
import type { ChannelMembership } from './membership.ts';
import type { SigningIdentity } from './organization.ts';
import type { StateLock } from './state-lock.ts';
import { endorsedActions, namespaceRwSets, openEnvelope } from './transaction.ts';
import { applyWrites, validateTransaction } from './validator.ts';

/**
 * The peer's commit step for the blocks its orderer cuts: builds the block on top of the chain, validates its
 * transactions one after the other (each seeing the writes of the valid ones before it), applies the valid writes,
 * seals the block (signature, TRANSACTIONS_FILTER) and appends it, all while holding the state lock alone.
 */
export class Committer {
  constructor(
    private readonly ledger: Ledger,
    private readonly lock: StateLock,
    private readonly signer: SigningIdentity,
    private readonly channelId: string,
    private readonly membership: ChannelMembership,
    private readonly isDefined: (chaincodeName: string) => boolean,
  ) {}

  /** Commits one block of envelopes and returns it. */
  commit(envelopes: readonly Uint8Array[]): Promise<common.Block> {
    return this.lock.exclusive(() => this.#commitNow(envelopes));
  }

  /** Commits a block whose transactions need no validation (the genesis config block). */
  commitGenesis(envelope: Uint8Array): Promise<common.Block> {
    return this.lock.exclusive(() => {
      if (this.ledger.height() !== 0) throw new Error('the genesis block goes on an empty ledger');
      const block = newBlock(0, new Uint8Array(), [envelope]);
      sealBlock(block, [peer.TxValidationCode.VALID], this.signer);
      this.ledger.append(block);
      return block;
    });
  }

  /** Re-applies a stored block's valid writes to the state (a peer restarted on its data folder). */
  replay(block: common.Block): void {
    const number = block.getHeader()?.getNumber() ?? 0;
    if (number === 0) return;
    const filter = transactionsFilter(block);
    block
      .getData()
      ?.getDataList_asU8()
      .forEach((envelopeBytes, txNum) => {
        if (filter[txNum] !== peer.TxValidationCode.VALID) return;
        const { payload, channelHeader } = openEnvelope(envelopeBytes);
        const [action] = endorsedActions(payload);
        if (!action) return;
        const timestamp = {
          seconds: channelHeader.getTimestamp()?.getSeconds() ?? 0,
          nanos: channelHeader.getTimestamp()?.getNanos() ?? 0,
        };
        const validated = {
          code: peer.TxValidationCode.VALID,
          txId: channelHeader.getTxId(),
          rwSets: namespaceRwSets(action.chaincodeAction),
          timestamp,
        };
        applyWrites(this.ledger.state, validated, { blockNum: number, txNum });
      });
  }

  #commitNow(envelopes: readonly Uint8Array[]): common.Block {
    const number = this.ledger.height();
    const block = newBlock(number, this.ledger.lastHeaderHash(), envelopes);
    const seenInBlock = new Set<string>();
    const context = {
      channelId: this.channelId,
      membership: this.membership,
      state: this.ledger.state,
      isCommitted: (txId: string) => this.ledger.transaction(txId) !== undefined,
      isDefined: this.isDefined,
    };
    const codes = envelopes.map((envelopeBytes, txNum) => {
      const validated = validateTransaction(envelopeBytes, seenInBlock, context);
      if (validated.code === peer.TxValidationCode.VALID) applyWrites(this.ledger.state, validated, { blockNum: number, txNum });
      return validated.code;
    });
    sealBlock(block, codes, this.signer);
    this.ledger.append(block);
    return block;
  }
}
