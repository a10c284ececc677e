/** One error model: every code's family, sentence, HTTP status, tRPC code and whether a retry can help. */
export * from './catalog.ts';
