import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import {
  BLOCK_VERSION,
  blockHash,
  didFromPublicKey,
  type KeyPair,
  MemoryState,
  type SnapshotHead,
  SnapshotReader,
  type StateEntry,
  sealBlock,
  snapshotEndLine,
  snapshotEntryLine,
  snapshotHeadLine,
  txMerkleRoot,
} from '@arc/core';

/**
 * bench:scale's large states: a node's real snapshot (its senders and the accounts their transfers made) with
 * `accounts` accounts in all, the missing ones added as a transfer of 1 unit to a new DID leaves them, committed by a
 * block on top of the node's head that its proposer seals. Such a block is a state import, not a transition its
 * parent's state makes: a node started from the file takes it as its start (as from any snapshot), and
 * `arc node verify --snapshot` replays the blocks after it. Making a million accounts through transfers takes an hour
 * on PGlite; this takes about a minute.
 */
export async function scaledSnapshot(
  source: string,
  accounts: number,
  proposer: KeyPair & { did: string },
  out: string,
): Promise<{ head: SnapshotHead; accounts: string[]; entries: number }> {
  const reader = new SnapshotReader();
  const entries: StateEntry[] = [];
  for (const line of gunzipSync(readFileSync(source)).toString('utf8').split('\n')) {
    if (line.length === 0) continue;
    const entry = reader.line(line);
    if (entry) entries.push(entry);
  }
  reader.finish();
  const { head } = reader;
  const dids = entries.flatMap((e) => (e.kind === 'account' ? [e.value.did] : []));
  const made: StateEntry[] = [];
  for (let n = dids.length; n < accounts; n++) {
    const did = didFromPublicKey(randomBytes(32));
    dids.push(did);
    made.push({ kind: 'account', value: { did, publicKey: null, moniker: '', nonce: 0, balance: 1n, tokens: new Map() } });
  }
  const state = new MemoryState();
  const all = [...entries, ...made];
  // Folded in slices: one update of a million keys holds every intermediate node at once.
  for (let at = 0; at < all.length; at += 50_000) state.commit(all.slice(at, at + 50_000));
  const header = {
    version: BLOCK_VERSION,
    chainId: head.chainId,
    height: head.height + 1,
    prevHash: head.hash,
    timeMs: head.header.timeMs + 1,
    proposer: proposer.did,
    txRoot: txMerkleRoot([]),
    stateRoot: state.trie.root,
    txCount: 0,
  };
  const hash = blockHash(header);
  const seal = sealBlock(hash, proposer.secretKey, proposer.publicKey);
  const scaled: SnapshotHead = { ...head, height: header.height, header, hash, seal };
  const gzip = createGzip();
  const file = createWriteStream(out);
  gzip.pipe(file);
  const write = async (line: string) => {
    if (!gzip.write(`${line}\n`)) await new Promise<void>((resolve) => gzip.once('drain', () => resolve()));
  };
  await write(snapshotHeadLine(scaled));
  for (const entry of all) await write(snapshotEntryLine(entry));
  await write(snapshotEndLine(all.length));
  gzip.end();
  await finished(file);
  return { head: scaled, accounts: dids, entries: all.length };
}
