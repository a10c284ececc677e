/** Formatting shared by the explorer's server and client parts; the same text on both, so hydration agrees. */

/** A block time as people read it, in UTC ("2026-12-03 21:30:12 UTC"). */
export function formatUtc(timeMs: number): string {
  return `${new Date(timeMs).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/** Where each explorer page lives. */
export const explorerPaths = {
  home: '/explorer',
  block: (height: number) => `/explorer/blocks/${height}`,
  tx: (hash: string) => `/explorer/tx/${hash}`,
  account: (did: string) => `/explorer/account/${did}`,
  token: (address: string) => `/explorer/tokens/${address}`,
  asset: (address: string) => `/explorer/assets/${address}`,
  blocklets: '/explorer/blocklets',
  blocklet: (name: string) => `/explorer/blocklets#${name}`,
  network: '/explorer/network',
  search: (q: string) => `/explorer/search?q=${encodeURIComponent(q)}`,
} as const;

/** A 64-hex-digit hash, with or without 0x, normalised to lower case; null when it is not one. */
export function parseHash(raw: string): string | null {
  const match = /^(0x)?([0-9a-fA-F]{64})$/.exec(raw);
  return match?.[2] ? match[2].toLowerCase() : null;
}

/** Decoded UTF-8 of hex bytes when they are printable text, else null. */
export function hexToText(hex: string): string | null {
  if (hex.length === 0 || hex.length % 2 !== 0) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mean the bytes are not text
    return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? null : text;
  } catch (error) {
    // A fatal decoder throws TypeError on bytes that are not UTF-8: then they are shown as hex.
    if (error instanceof TypeError) return null;
    throw error;
  }
}
