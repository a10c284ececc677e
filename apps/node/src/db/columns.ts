import { customType } from 'drizzle-orm/pg-core';

/** bytea as Uint8Array on both drivers (postgres.js hands back Buffers, which are Uint8Arrays). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

/** numeric(78,0): any amount below 2^256, read as a decimal string. */
export const amount = customType<{ data: string; driverData: string }>({
  dataType: () => 'numeric(78, 0)',
});
