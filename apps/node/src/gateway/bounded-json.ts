import { GatewayError } from './types.ts';

/** Bounds on JSON the gateway takes from outside (frames, bridged messages, MQTT payloads). */
export const JSON_BOUNDS = {
  /** Nesting of arrays and objects; deeper JSON is refused before anything recurses into it. */
  depthMax: 64,
} as const;

/**
 * The deepest nesting of arrays/objects in JSON text, counted without recursion (strings skipped), stopping as
 * soon as it passes `limit`. Works on any text: a truncated or malformed one is left to JSON.parse to refuse.
 */
export function jsonTextDepth(text: string, limit: number = JSON_BOUNDS.depthMax): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i += 1;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth -= 1;
  }
  return deepest;
}

/**
 * Parses untrusted JSON text within a byte and a depth bound: BAD_PAYLOAD for text that is not JSON or nests
 * deeper than `depthMax`, TOO_LARGE past `bytesMax`. What comes back can be stringified without a stack overflow.
 */
export function parseBoundedJson(text: string, bytesMax: number, depthMax: number = JSON_BOUNDS.depthMax): unknown {
  const bytes = Buffer.byteLength(text);
  if (bytes > bytesMax) throw new GatewayError('TOO_LARGE', `The message is ${bytes} bytes; the limit is ${bytesMax}.`);
  if (jsonTextDepth(text, depthMax) > depthMax)
    throw new GatewayError('BAD_PAYLOAD', `The JSON nests deeper than ${depthMax} levels; flatten it.`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GatewayError('BAD_PAYLOAD', 'The message is not JSON.');
  }
}

/**
 * The nesting depth of a value already parsed by someone else (Socket.io's parser), counted without recursion,
 * stopping past `limit`. Cycles cannot occur in parsed JSON; other values are cut at `limit` anyway.
 */
export function valueDepth(value: unknown, limit: number = JSON_BOUNDS.depthMax): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  let visited = 0;
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    // A wide value is bounded by the message size already; this only keeps a pathological one from spinning.
    visited += 1;
    if (visited > 1_000_000) return limit + 1;
    const children = Array.isArray(item) ? item : Object.values(item as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return deepest;
}

/** JSON.stringify that never throws: null when the value cannot be serialized (too deep, a cycle, a BigInt). */
export function stringifyOrNull(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return null;
  }
}
