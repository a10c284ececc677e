/** An HTTP request to a blocklet's route, as the Call tab builds it. */
export interface RouteRequest {
  method: string;
  /** The route's path under the blocklet, with an optional query: /price?pair=abt-usd */
  path: string;
  /** One `Name: value` per line. */
  headersText: string;
  body: string;
}

/** Header lines parsed to a record, or the first line that is not `Name: value`. */
export function parseHeaderLines(text: string): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] ?? '').trim();
    if (line === '') continue;
    const match = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!match) return { error: `header line ${index + 1} is not "Name: value"` };
    headers[(match[1] as string).toLowerCase()] = match[2] as string;
  }
  return { headers };
}

/** The URL and fetch options of a route request to blocklet `name` (the gateway serves it at /b/<name>/…). */
export function buildRouteRequest(
  name: string,
  request: RouteRequest,
): { url: string; init: { method: string; headers: Record<string, string>; body?: string } } | { error: string } {
  if (!request.path.startsWith('/')) return { error: 'a path starts with /, e.g. /price' };
  const parsed = parseHeaderLines(request.headersText);
  if ('error' in parsed) return parsed;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== '';
  if (!hasBody && request.body !== '' && request.method === 'GET') return { error: 'a GET request has no body; pick POST or PUT' };
  return {
    url: `/b/${name}${request.path}`,
    init: { method: request.method, headers: parsed.headers, ...(hasBody ? { body: request.body } : {}) },
  };
}

/** A JSON input for invoke, or why it is not JSON. Empty text means no input. */
export function parseInvokeInput(text: string): { input: unknown } | { error: string } {
  if (text.trim() === '') return { input: undefined };
  try {
    return { input: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `the input is not JSON: ${(error as Error).message}` };
  }
}
