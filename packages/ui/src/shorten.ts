/**
 * Shortens a long identifier (hash, DID, address) to its first `head` and last `tail` characters
 * around an ellipsis; a value that would not get shorter is returned whole.
 */
export function shortenMiddle(value: string, head = 8, tail = 6): string {
  if (value.length <= head + tail + 1) return value;
  return `${value.slice(0, head)}…${value.slice(value.length - tail)}`;
}

/** Shortens a `did:abt:z…` DID, keeping its method prefix readable. */
export function shortenDid(did: string, bodyHead = 6, tail = 6): string {
  const prefixEnd = did.startsWith('did:') ? did.indexOf(':', 4) + 1 : 0;
  return shortenMiddle(did, prefixEnd + bodyHead, tail);
}
