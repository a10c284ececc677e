import type { ClientError, ClientErrorCode } from '@arc/client/errors';

/**
 * @arc/client's ClientError, made once its module is downloaded. Its wire schemas bring zod, which the root layout's
 * wallet and session need only on their error paths; so every page's first load goes without it.
 */
export async function clientError(code: ClientErrorCode, message?: string): Promise<ClientError> {
  const { ClientError } = await import('@arc/client/errors');
  return new ClientError(code, message);
}

/** Whether `error` is a ClientError with `code` (read by its name and code, so the check needs no download). */
export function isClientErrorCode(error: unknown, code: ClientErrorCode): boolean {
  return asClientError(error)?.code === code;
}

/** `error` as a ClientError (by its name and code, so the check needs no download), else null. */
export function asClientError(error: unknown): (Error & { code: ClientErrorCode }) | null {
  return error instanceof Error && error.name === 'ClientError' && typeof (error as { code?: unknown }).code === 'string'
    ? (error as Error & { code: ClientErrorCode })
    : null;
}
