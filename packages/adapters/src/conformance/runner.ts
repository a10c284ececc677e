import type { CheckContext, CheckFn, ConformanceHarness, ConformanceOptions } from './harness.ts';
import { defineConformance } from './suite.ts';

/** What one programmatic run of the suite found, by full check name (`group > check`). */
export interface ConformanceReport {
  passed: string[];
  failed: { name: string; error: unknown }[];
  skipped: { name: string; reason: string }[];
}

export interface CheckOptions extends ConformanceOptions {
  /** Runs only the checks whose full name this accepts (default: all). */
  only?: (name: string) => boolean;
}

/** Thrown by `ctx.skip` inside a programmatic run; carries the reason. */
class Skipped extends Error {
  constructor(readonly reason: string) {
    super(`skipped: ${reason}`);
  }
}

/**
 * Runs the conformance checks outside vitest's registration, one after another, and returns what passed, failed
 * and skipped instead of throwing. Used to prove that the suite fails a deliberately broken adapter.
 */
export async function checkConformance(
  name: string,
  createHarness: () => Promise<ConformanceHarness>,
  options: CheckOptions = {},
): Promise<ConformanceReport> {
  const checks: { name: string; fn: CheckFn }[] = [];
  const before: (() => Promise<void>)[] = [];
  const after: (() => Promise<void>)[] = [];
  const path: string[] = [];
  defineConformance(
    {
      describe: (title, body) => {
        path.push(title);
        try {
          body();
        } finally {
          path.pop();
        }
      },
      it: (title, fn) => checks.push({ name: [...path, title].join(' > '), fn }),
      beforeAll: (fn) => before.push(fn),
      afterAll: (fn) => after.push(fn),
    },
    name,
    createHarness,
    options,
  );

  const report: ConformanceReport = { passed: [], failed: [], skipped: [] };
  const ctx: CheckContext = {
    skip: (reason) => {
      throw new Skipped(reason);
    },
  };
  for (const hook of before) await hook();
  try {
    for (const check of checks) {
      if (options.only && !options.only(check.name)) continue;
      try {
        await check.fn(ctx);
        report.passed.push(check.name);
      } catch (error) {
        if (error instanceof Skipped) report.skipped.push({ name: check.name, reason: error.reason });
        else report.failed.push({ name: check.name, error });
      }
    }
  } finally {
    for (const hook of after) await hook();
  }
  return report;
}
