/** The OCAP conformance suite: run it from a vitest file to hold an adapter to the protocol. */
export type { CheckContext, ConformanceApi, ConformanceHarness, ConformanceOptions } from './harness.ts';
export { StreamReader } from './reader.ts';
export { type CheckOptions, type ConformanceReport, checkConformance } from './runner.ts';
export { defineConformance, expectOcapError, runConformance } from './suite.ts';
