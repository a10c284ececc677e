/**
 * A bench is part of the product: every one runs here in `--quick` mode (the same phases with small counts), so a
 * broken bench fails the suite instead of the next person who runs it. Each must exit 0 whatever its goals (a
 * missed goal is a finding, not a crash) and end with one JSON line naming the bench and carrying a verdict per goal.
 * These four here, the other three in benches-more.test.ts: two files run beside each other.
 */
import { quickBenches } from './helpers/bench-quick.ts';

quickBenches(['ledger', 'gateway', 'adapters', 'scale']);
