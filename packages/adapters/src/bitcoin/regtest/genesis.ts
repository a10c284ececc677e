import * as bitcoin from 'bitcoinjs-lib';

/** Bitcoin's genesis coinbase ("The Times 03/Jan/2009 …"), shared by mainnet, testnet and regtest. */
const GENESIS_COINBASE_HEX =
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000';

/** Bitcoin Core's regtest genesis block hash; our chain rebuilds the same block, so CAIP-2 ids match a real regtest node. */
export const REGTEST_GENESIS_HASH = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
export const REGTEST_BITS = 0x207fffff;

/** The regtest genesis block exactly as Bitcoin Core builds it (time 1296688602, nonce 2). */
export function regtestGenesisBlock(): bitcoin.Block {
  const coinbase = bitcoin.Transaction.fromHex(GENESIS_COINBASE_HEX);
  const block = new bitcoin.Block();
  block.version = 1;
  block.prevHash = new Uint8Array(32);
  block.merkleRoot = bitcoin.Block.calculateMerkleRoot([coinbase]);
  block.timestamp = 1296688602;
  block.bits = REGTEST_BITS;
  block.nonce = 2;
  block.transactions = [coinbase];
  if (block.getId() !== REGTEST_GENESIS_HASH) throw new Error(`regtest genesis rebuilt as ${block.getId()}`);
  return block;
}
