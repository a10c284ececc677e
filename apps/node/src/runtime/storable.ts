import { HOST_LIMITS } from './host-limits.ts';

/**
 * Text PostgreSQL can store: no NUL (refused by text and jsonb) and no unpaired UTF-16 surrogate (JSON.stringify
 * writes one as a `\uD800` escape, which jsonb refuses).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what PostgreSQL refuses
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when PostgreSQL can store the text as `text` and inside `jsonb`. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The text with NUL and unpaired surrogates replaced by U+FFFD: for the node's own records (logs, errors). */
export function storableText(text: string): string {
  return isStorableText(text) ? text : text.replace(new RegExp(UNSTORABLE.source, 'g'), '\uFFFD');
}

/**
 * Where in a JSON value (parsed, so plain arrays, objects and scalars) a string or key cannot be stored, or a
 * nesting deeper than HOST_LIMITS.jsonDepthMax: a sentence, or null when the value is fine. Iterative, so a deep
 * value cannot exhaust the node's stack.
 */
export function unstorableJson(value: unknown, what: string): string | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: what, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof item.value === 'string') {
      if (!isStorableText(item.value)) return `${item.path} holds a NUL character or an unpaired surrogate, which the node cannot store`;
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= HOST_LIMITS.jsonDepthMax) return `${item.path} nests deeper than ${HOST_LIMITS.jsonDepthMax} levels`;
    for (const [key, child] of Object.entries(item.value as Record<string, unknown>)) {
      if (!isStorableText(key)) return `a key in ${item.path} holds a NUL character or an unpaired surrogate, which the node cannot store`;
      stack.push({ value: child, path: `${item.path}.${key.slice(0, 32)}`, depth: item.depth + 1 });
    }
  }
  return null;
}
