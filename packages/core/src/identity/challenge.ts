import { utf8 } from '../bytes.ts';

/** The bytes a DID signs to log in to a node's gateway: a domain tag, the server's nonce and the server's time. */
export function challengeMessage(nonce: string, timeMs: number): Uint8Array {
  return utf8(`arc-login/v1\n${nonce}\n${timeMs}`);
}
