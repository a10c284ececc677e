/** A JSON value. */
export type JSONType = string | number | boolean | null | JSONType[] | { [key: string]: JSONType };

/** Makes an adapter's answer JSON-safe: bigints become decimal strings, undefined fields are dropped. */
export function toJson(value: unknown): JSONType {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: Record<string, JSONType> = {};
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) if (field !== undefined) out[key] = toJson(field);
    return out;
  }
  return null;
}
