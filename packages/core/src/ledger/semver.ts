import { SEMVER } from './limits.ts';

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return compareNumeric(a, b);
  // Numeric identifiers have lower precedence than alphanumeric ones.
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares digit strings without leading zeros by length, then lexically: no precision limit. */
function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Semantic-version precedence (semver.org §11): major, minor, patch numerically, a pre-release below its release,
 * pre-release identifiers one by one; build metadata is ignored. Both arguments must match SEMVER.
 */
export function compareSemver(a: string, b: string): number {
  const ma = SEMVER.exec(a);
  const mb = SEMVER.exec(b);
  if (!ma || !mb) throw new Error(`not semantic versions: ${a}, ${b}`);
  for (let i = 1; i <= 3; i++) {
    const c = compareNumeric(ma[i] as string, mb[i] as string);
    if (c !== 0) return c;
  }
  const pa = ma[4];
  const pb = mb[4];
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
  const xa = pa.split('.');
  const xb = pb.split('.');
  for (let i = 0; i < Math.min(xa.length, xb.length); i++) {
    const c = compareIdentifiers(xa[i] as string, xb[i] as string);
    if (c !== 0) return c;
  }
  return xa.length === xb.length ? 0 : xa.length < xb.length ? -1 : 1;
}
