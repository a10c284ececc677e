/** The OCAP conformance suite: run it from a vitest file to hold an adapter to the protocol. */
export type { ConformanceHarness, ConformanceOptions } from './harness.ts';
export { StreamReader } from './reader.ts';
export { expectOcapError, runConformance } from './suite.ts';
