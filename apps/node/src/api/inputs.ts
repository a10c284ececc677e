import { isHex, isValidDid } from '@arc/core';
import { z } from 'zod';

/** Shared input parsers: every procedure input is checked before a service sees it. */
export const MAX_PAGE_SIZE = 100;
export const did = z.string().max(64).refine(isValidDid, 'not a valid did:abt: DID (check for a missing or wrong character)');
export const hash = z
  .string()
  .regex(/^(0x)?[0-9a-fA-F]{64}$/, 'a hash is 64 hex characters')
  .transform((s) => s.replace(/^0x/, '').toLowerCase());
export const hexBytes = (maxBytes: number) =>
  z
    .string()
    .max(maxBytes * 2 + 2, `at most ${maxBytes} bytes`)
    .refine(isHex, 'hex of whole bytes')
    .transform((s) => s.replace(/^0x/, '').toLowerCase());
export const limit = z.number().int().min(1).max(MAX_PAGE_SIZE).default(20);
export const cursor = z.string().max(200).optional();
export const positionCursor = z
  .string()
  .regex(/^\d{1,15}:\d{1,6}$/, 'a cursor is the nextCursor of the previous page')
  .optional();
