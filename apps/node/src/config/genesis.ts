import { readFile } from 'node:fs/promises';
import type { GenesisConfig } from '@arc/core';
import { parseGenesis } from '@arc/core';

export {
  BRIDGE_ESCROW_DID_DEFAULT,
  ECONOMY_PARAMS_DEFAULT,
  GenesisFileSchema,
  nodeChainParams,
  PUBLISH_STAKE_DEFAULT,
  parseGenesis,
  TREASURY_DID_DEFAULT,
} from '@arc/core';

/** Reads and parses a genesis file. */
export async function loadGenesisFile(path: string): Promise<GenesisConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`the genesis file ${path} cannot be read (${(error as NodeJS.ErrnoException).code}); check GENESIS_FILE`);
  }
  return parseGenesis(text, path);
}
