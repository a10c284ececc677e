/** How long one JSON-RPC call may take before it fails with TIMEOUT (scantxoutset on mainnet needs more; pass `timeoutMs`). */
export const BITCOIN_RPC_TIMEOUT_MS_DEFAULT = 30_000;
/** Largest response body read from the node. */
export const BITCOIN_RPC_RESPONSE_CHARS_MAX = 64 * 1024 * 1024;

/** An error the node answered with: Bitcoin Core's code and message. */
export class BitcoinRpcError extends Error {
  override name = 'BitcoinRpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly method: string,
  ) {
    super(message);
  }
}

/** The node could not be asked: refused, timed out, HTTP error without a JSON-RPC answer, or garbage. */
export class BitcoinTransportError extends Error {
  override name = 'BitcoinTransportError';
  constructor(
    readonly kind: 'unreachable' | 'timeout' | 'http' | 'malformed',
    message: string,
    readonly method: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
  }

  readonly status: number | undefined;
}

export interface BitcoinRpcOptions {
  url: string;
  user?: string;
  password?: string;
  timeoutMs?: number;
}

/** A JSON-RPC 1.0 client for bitcoind (`{method, params, id}` over POST with HTTP basic auth). */
export class BitcoinRpc {
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  #nextId = 0;

  constructor(options: BitcoinRpcOptions) {
    const url = new URL(options.url);
    // Credentials may come in the URL (http://user:pass@host:port/) or separately.
    const user = options.user ?? decodeURIComponent(url.username);
    const password = options.password ?? decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    this.#url = url.toString();
    this.#headers = { 'Content-Type': 'application/json' };
    if (user || password) this.#headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    this.#timeoutMs = options.timeoutMs ?? BITCOIN_RPC_TIMEOUT_MS_DEFAULT;
  }

  /** Calls `method` with positional params; resolves with `result` or rejects with BitcoinRpcError / BitcoinTransportError. */
  async call<T>(method: string, params: unknown[] = [], options: { timeoutMs?: number } = {}): Promise<T> {
    this.#nextId += 1;
    const body = JSON.stringify({ jsonrpc: '1.0', id: this.#nextId, method, params });
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new BitcoinTransportError('timeout', `${method} got no answer within ${options.timeoutMs ?? this.#timeoutMs} ms`, method, {
          cause: error,
        });
      }
      throw new BitcoinTransportError('unreachable', `cannot reach the Bitcoin node for ${method}: ${describeCause(error)}`, method, {
        cause: error,
      });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new BitcoinTransportError('unreachable', `the connection broke while reading ${method}'s answer`, method, { cause: error });
    }
    if (text.length > BITCOIN_RPC_RESPONSE_CHARS_MAX) {
      throw new BitcoinTransportError('malformed', `${method} answered more than ${BITCOIN_RPC_RESPONSE_CHARS_MAX} characters`, method);
    }
    const answer = parseAnswer(text);
    if (answer?.error) throw new BitcoinRpcError(answer.error.code, answer.error.message, method);
    if (!response.ok || answer === undefined) {
      throw new BitcoinTransportError(
        response.ok ? 'malformed' : 'http',
        `${method}: HTTP ${response.status} ${text.slice(0, 200)}`,
        method,
        {
          status: response.status,
        },
      );
    }
    return answer.result as T;
  }
}

function parseAnswer(text: string): { result: unknown; error: { code: number; message: string } | null } | undefined {
  try {
    const parsed = JSON.parse(text) as { result?: unknown; error?: { code?: unknown; message?: unknown } | null };
    if (parsed === null || typeof parsed !== 'object' || !('result' in parsed || 'error' in parsed)) return undefined;
    const error = parsed.error;
    if (error && typeof error === 'object') return { result: null, error: { code: Number(error.code), message: String(error.message) } };
    return { result: parsed.result, error: null };
  } catch {
    // Not JSON (an HTML error page, an empty 401 body): the caller reports it by HTTP status.
    return undefined;
  }
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
