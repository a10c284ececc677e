import { isOcapError, type OcapErrorCode } from '@arc/core';
import { expect } from 'vitest';

/** Expects the promise to reject with an OcapError of `code` (or one of `code`, when the chain may answer either). */
export async function expectOcapError(
  promise: Promise<unknown> | (() => unknown),
  code: OcapErrorCode | readonly OcapErrorCode[],
): Promise<void> {
  const codes: readonly OcapErrorCode[] = typeof code === 'string' ? [code] : code;
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (caught) {
    error = caught;
  }
  if (!isOcapError(error)) {
    throw new Error(`expected OcapError ${codes.join(' or ')}, got ${error === undefined ? 'success' : String(error)}`);
  }
  expect(codes, error.message).toContain(error.code);
  expect(error.message.length).toBeGreaterThan(10);
}
