import { ClientError } from '@arc/client';
import { type ErrorCodeOf, errorSentence, isRetriable } from '@arc/core';

/**
 * Codes of the CLI's own errors (the catalogue's family 'cli' in @arc/core: USAGE, KEY_FILE_MISSING, …);
 * everything else is a ClientError code from the client or the node.
 */
export type CliErrorCode = ErrorCodeOf<'cli'>;

/** A mistake the user can fix: printed as one line, never as a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  /** Whether running the same command again later can succeed (the catalogue's). */
  readonly retriable: boolean;
  constructor(
    readonly code: CliErrorCode,
    message: string = errorSentence(code),
  ) {
    super(message);
    this.retriable = isRetriable(code);
  }
}

/** Shorthand for a usage mistake. */
export function usage(message: string): CliError {
  return new CliError('USAGE', message);
}

/** The stderr line for an error, and whether it is a user error (one line) or a bug (stack trace). */
export function describeError(error: unknown, nodeUrl: string): { line: string; bug: boolean } {
  if (error instanceof CliError)
    return { line: `error ${error.code}: ${error.message}${error.retriable ? ' (retrying may help)' : ''}`, bug: false };
  if (error instanceof ClientError) {
    const hint = error.code === 'NETWORK' ? ` (is a node running at ${nodeUrl}? set --node or ARC_NODE_URL)` : '';
    const retry = error.retriable && error.code !== 'NETWORK' ? ' (retrying may help)' : '';
    return { line: `error ${error.code}: ${error.message}${hint}${retry}`, bug: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `error INTERNAL: ${message}`, bug: true };
}
