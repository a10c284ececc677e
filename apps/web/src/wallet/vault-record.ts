import { z } from 'zod';

/** The stored wallet record's schema: loaded with the record (vault-store.ts), so a page without a wallet skips zod. */

const PublicAccountSchema = z.object({ did: z.string(), label: z.string() });

const RecordSchema = z.object({
  vault: z.unknown(),
  accounts: z.array(PublicAccountSchema).max(100),
  activeDid: z.string().nullable(),
});

/** The record as read from IndexedDB, checked; its vault is parsed by the keystore. */
export function parseRecord(raw: unknown): z.infer<typeof RecordSchema> {
  return RecordSchema.parse(raw);
}
