import { connectRealtime } from '@arc/client';
import type { Browser, Page } from 'playwright-core';

/**
 * Block → screen: from a block's commit (the node's block time, `timeMs` of its `chain:blocks` event) to the frame
 * in which its row is first on the explorer home. The page records, with a MutationObserver, the first animation
 * frame in which each block height is shown (epoch ms, `performance.timeOrigin + now()`; node, browser and bench
 * share one clock on one machine); the bench hears each commit from the node's gateway. Only blocks committed after
 * the page first showed rows count. A block not shown within BLOCK_SHOWN_TIMEOUT_MS counts as that long (and as
 * missed).
 */

/** A block's row later than this is not coming (the list moved on without it). */
const BLOCK_SHOWN_TIMEOUT_MS = 10_000;
const POLL_MS = 250;
/** The page must show its first rows within this. */
const FIRST_ROWS_TIMEOUT_MS = 30_000;

export interface BlockToScreen {
  path: string;
  samplesMs: number[];
  missed: number;
  /** For the same blocks: commit to the bench hearing the event from the gateway (the node's part of the figure). */
  eventLagsMs: number[];
  /** For the same blocks: the page's websocket bringing the event to its row shown (the page's part). */
  pageLagsMs: number[];
}

/** Opens `path` (the explorer home) and times `blocks` new blocks from commit to shown; gives up after `budgetMs`. */
export async function measureBlockToScreen(
  browser: Browser,
  webUrl: string,
  nodeUrl: string,
  path: string,
  blocks: number,
  budgetMs: number,
): Promise<BlockToScreen> {
  const commitsMs = new Map<number, number>();
  const heardMs = new Map<number, number>();
  const realtime = await connectRealtime(nodeUrl);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  try {
    await realtime.subscribe('chain:blocks', (event) => {
      heardMs.set(event.payload.height, performance.timeOrigin + performance.now());
      commitsMs.set(event.payload.height, event.payload.timeMs);
    });
    const page = await context.newPage();
    await page.addInitScript({ content: pageScript(observeBlockRows) });
    await page.goto(`${webUrl}${path}`);
    await page.waitForFunction(() => (window as unknown as BenchWindow).__arcBenchBlockRows.size > 0, undefined, {
      timeout: FIRST_ROWS_TIMEOUT_MS,
    });
    const startHeight = Math.max(...(await shownRows(page)).keys(), ...commitsMs.keys());
    const deadlineMs = Date.now() + budgetMs;
    const samplesMs: number[] = [];
    const eventLagsMs: number[] = [];
    const pageLagsMs: number[] = [];
    let missed = 0;
    const settled = new Set<number>();
    while (settled.size < blocks && Date.now() < deadlineMs) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const shown = await shownRows(page);
      for (const [height, committedMs] of commitsMs) {
        if (height <= startHeight || settled.has(height) || settled.size >= blocks) continue;
        const shownMs = shown.get(height);
        if (shownMs !== undefined) {
          samplesMs.push(Math.max(0, shownMs - committedMs));
          const pageHeardMs = shown.heard.get(height);
          if (pageHeardMs !== undefined) pageLagsMs.push(Math.max(0, shownMs - pageHeardMs));
        } else if (Date.now() - committedMs > BLOCK_SHOWN_TIMEOUT_MS) {
          samplesMs.push(BLOCK_SHOWN_TIMEOUT_MS);
          missed += 1;
        } else continue;
        settled.add(height);
        eventLagsMs.push(Math.max(0, (heardMs.get(height) ?? committedMs) - committedMs));
      }
    }
    return { path, samplesMs, missed, eventLagsMs, pageLagsMs };
  } finally {
    realtime.close();
    await context.close();
  }
}

/**
 * A function's source as a script the page runs. tsx compiles this file keeping function names, which wraps nested
 * functions in an `__name(fn, "name")` helper the page does not have: the script defines it as the identity.
 */
export function pageScript(fn: () => void): string {
  return `var __name = (target) => target;\n(${fn.toString()})();`;
}

interface BenchWindow {
  __arcBenchBlockRows: Map<number, number>;
  __arcBenchBlockHeard: Map<number, number>;
}

/** Each height's first frame on screen, and when the page's websocket brought its event. */
async function shownRows(page: Page): Promise<Map<number, number> & { heard: Map<number, number> }> {
  const { shown, heard } = await page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    return { shown: [...w.__arcBenchBlockRows.entries()], heard: [...w.__arcBenchBlockHeard.entries()] };
  });
  return Object.assign(new Map(shown), { heard: new Map(heard) });
}

/**
 * Runs in the page before its scripts: notes the first frame each block height is shown in the "Latest blocks"
 * list (an element labelled so, or a table captioned so). A row's height is its `data-height`, else its link to
 * `/explorer/blocks/<height>`, else the number its first cell starts with (as shown, e.g. "1,234"). Loading
 * skeletons (`aria-busy="true"`) do not count. Self-contained: it is serialized into the page.
 */
function observeBlockRows(): void {
  const shown = new Map<number, number>();
  const heard = new Map<number, number>();
  (window as unknown as BenchWindow).__arcBenchBlockRows = shown;
  (window as unknown as BenchWindow).__arcBenchBlockHeard = heard;
  const pending = new Set<number>();
  // When the page's own websocket brings each block's event (Socket.io text frames naming the topic).
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        if (typeof event.data !== 'string' || !event.data.includes('chain:blocks')) return;
        const height = event.data.match(/"height":(\d+)/)?.[1];
        if (height !== undefined && !heard.has(Number(height))) heard.set(Number(height), performance.timeOrigin + event.timeStamp);
      });
    }
  };
  const heightOf = (row: Element): number | null => {
    const attribute = row.getAttribute('data-height');
    if (attribute !== null && /^\d+$/.test(attribute)) return Number(attribute);
    const link = row.querySelector('a[href*="/blocks/"]');
    const linked = link?.getAttribute('href')?.match(/\/blocks\/(\d+)(?:[/?#]|$)/);
    if (linked?.[1]) return Number(linked[1]);
    const cell = row.querySelector('td, th, [role="cell"], [role="gridcell"]');
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered (without a cell's hidden phone-only parts)
    const text = cell instanceof HTMLElement ? cell.innerText : '';
    const number = text.match(/^\s*#?([\d,]+)/);
    return number?.[1] ? Number(number[1].replaceAll(',', '')) : null;
  };
  const lists = (): Element[] => {
    const labelled = [...document.querySelectorAll('[aria-label="Latest blocks"]')];
    const captioned = [...document.querySelectorAll('table')].filter((t) => t.caption?.textContent?.trim() === 'Latest blocks');
    return [...labelled, ...captioned];
  };
  const scan = () => {
    for (const list of lists()) {
      if (list.getAttribute('aria-busy') === 'true') continue;
      for (const row of list.querySelectorAll('tbody tr, [role="row"], li, [data-height]')) {
        const height = heightOf(row);
        if (height !== null && !shown.has(height)) pending.add(height);
      }
    }
    if (pending.size === 0) return;
    // The frame that paints the mutation: what a person sees.
    requestAnimationFrame(() => {
      const atMs = performance.timeOrigin + performance.now();
      for (const height of pending) if (!shown.has(height)) shown.set(height, atMs);
      pending.clear();
    });
  };
  new MutationObserver(scan).observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
}
