/**
 * The duplicate tie-break, the same on both ends: of two links with one peer, keep the one dialed by the lower DID;
 * of two dialed by the same side, keep ours if we dialed both (the older), else the newer (the peer redialed).
 */
export function preferNewLink(existingDialerDid: string, newDialerDid: string, ownDid: string): boolean {
  if (existingDialerDid !== newDialerDid) return newDialerDid < existingDialerDid;
  return newDialerDid !== ownDid;
}
