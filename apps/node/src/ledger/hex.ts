/** Hex for SQL's decode(…, 'hex'): node's native encoder, a flat string (core's toHex builds it a byte at a time). */
export const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
