import type { CatalogueEntry } from './market-catalogue.ts';

/** Review bodies by stars (index 0 = 1 star); `{title}` and `{category}` are filled in per component. */
const REVIEWS: string[][] = [
  [
    'Could not get {title} to do anything useful. The README skips the one step I needed, and the errors say nothing.',
    'Broke on the second day after an update. Pinning the version helped, but I moved away.',
  ],
  [
    'It works, mostly. {title} fell over twice under load and I had to restart the application.',
    'Does less than the description promises. Fine for a demo, not for production {category}.',
    'The API is awkward: two calls where one would do. Usable, but I wrote a wrapper.',
  ],
  [
    'Solid enough. {title} does the job; the docs could show a real example with error handling.',
    'Average. No surprises, no delights. I would like paging on the list route.',
    'Works as described. Pricing is fair for light use, heavier use adds up quickly.',
  ],
  [
    'Good component. Installed {title} into two applications in a few minutes and it has run quietly since.',
    'Reliable and simple. One star off because the configuration table is missing a default.',
    'We use it for {category} in production. A couple of rough edges, quick answers from the author.',
    'Does exactly what the README says. Would like a changelog with more detail.',
  ],
  [
    'Excellent. {title} replaced a service we ran ourselves; calls are fast and the bill went down.',
    'The best {category} component here. Clear README, sensible limits, and it never lost an entry.',
    'Installed, called, forgot about it: the highest praise I have. Five stars.',
    'Exactly what I needed for a hackathon, and it held up when we went live afterwards.',
    'Clean API, honest price, quick to integrate. Recommended to every team I work with.',
  ],
];

/** The text of the i-th review of an entry with these stars (varied, deterministic). */
export function reviewText(entry: CatalogueEntry, stars: number, i: number): string {
  const pool = REVIEWS[Math.max(1, Math.min(5, stars)) - 1] as string[];
  const template = pool[(i + entry.name.length) % pool.length] as string;
  return template.replaceAll('{title}', entry.title).replaceAll('{category}', entry.categories[0] ?? 'this');
}

/** The owner's answer to a review with these stars. */
export function replyText(entry: CatalogueEntry, stars: number): string {
  const latest = entry.versions[entry.versions.length - 1]?.version ?? '1.0.0';
  if (stars <= 2)
    return `Sorry about that. ${latest} fixes the failures we could reproduce; if it still breaks, please report it with the request you sent.`;
  if (stars === 3) return `Thanks for the honest review. Paging and a fuller example are on the list for the next release after ${latest}.`;
  return `Thank you! Glad ${entry.title} works for you. Tell us what you would like next.`;
}
