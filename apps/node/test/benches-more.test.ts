/** The other half of benches.test.ts (see there). */
import { quickBenches } from './helpers/bench-quick.ts';

quickBenches(['runtime', 'market', 'economy', 'cloud']);
