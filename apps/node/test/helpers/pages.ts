/** Walks a cursor-paged list to its end; fails when a page repeats its cursor (an endless walk). */
export async function walkPages<T, C>(
  fetchPage: (cursor: C | undefined) => Promise<{ items: T[]; nextCursor: C | null }>,
  maxPages = 1000,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: C | undefined;
  const seen = new Set<C>();
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.nextCursor === null) return { items, pages };
    if (seen.has(page.nextCursor)) throw new Error(`the cursor ${String(page.nextCursor)} came back twice`);
    seen.add(page.nextCursor);
    cursor = page.nextCursor;
  }
  throw new Error(`the list did not end within ${maxPages} pages`);
}
