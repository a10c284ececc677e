import { Wallet } from '@arc/client';
import type { Browser, Page } from 'playwright-core';
import { pageScript } from './block-to-screen.ts';

/**
 * Send → committed, as a person does it on /wallet/send: a new wallet (a passphrase one, made in the page), ABT from
 * the faucet, then `sends` transfers to another account one after the other, each: the amount typed, "Review and
 * send", and in the consent dialog "Sign" — the click that sends it; the time runs from that click (the event's own
 * time) to the animation frame in which the status first says Committed, both taken in the page
 * (`performance.timeOrigin + now()`). A send the ledger rejects is counted as failed, not timed.
 */

const PASSPHRASE = 'bench web passphrase';
/** Each transfer (ABT): small beside the faucet's grant, so fifty fit with their fees. */
const AMOUNT = '0.001';
/** The wallet is created (scrypt in the page) and funded by the faucet within this. */
const SETUP_TIMEOUT_MS = 60_000;
/** One send's Committed (or Rejected) within this, or the page is stuck. */
const SEND_TIMEOUT_MS = 30_000;

export interface SendToCommitted {
  samplesMs: number[];
  failed: number;
  /** For the sends that showed Pending first: Sign to Pending (signing and submitting), and Pending to Committed. */
  submitMs: number[];
  pendingMs: number[];
}

interface BenchWindow {
  __arcBenchSends: {
    signedAtMs: number | null;
    pendingAtMs: number | null;
    settled: { status: string; atMs: number; signedAtMs: number | null; pendingAtMs: number | null }[];
  };
}

/** Sends from a new browser wallet and times each from Sign to Committed; gives up starting new ones after `budgetMs`. */
export async function measureSendToCommitted(browser: Browser, webUrl: string, sends: number, budgetMs: number): Promise<SendToCommitted> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(SETUP_TIMEOUT_MS);
    await page.addInitScript({ content: pageScript(observeSends) });
    await createFundedWallet(page, webUrl);

    // In the page, not a reload: the unlocked key lives in the page's memory only.
    await page.getByRole('region', { name: 'Account' }).getByRole('link', { name: 'Send' }).click();
    await page.waitForURL('**/wallet/send');
    await page.getByLabel('To').fill(Wallet.generate().did);
    const deadlineMs = Date.now() + budgetMs;
    const samplesMs: number[] = [];
    const submitMs: number[] = [];
    const pendingMs: number[] = [];
    let failed = 0;
    for (let i = 0; i < sends && Date.now() < deadlineMs; i++) {
      await page.getByLabel(/^Amount/).fill(AMOUNT);
      await page.getByRole('button', { name: 'Review and send' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Sign' }).click();
      await page.waitForFunction((n) => (window as unknown as BenchWindow).__arcBenchSends.settled.length > n, i, {
        timeout: SEND_TIMEOUT_MS,
      });
      const settled = await page.evaluate((n) => (window as unknown as BenchWindow).__arcBenchSends.settled[n], i);
      if (settled?.status === 'Committed' && settled.signedAtMs !== null) {
        samplesMs.push(settled.atMs - settled.signedAtMs);
        if (settled.pendingAtMs !== null) {
          submitMs.push(settled.pendingAtMs - settled.signedAtMs);
          pendingMs.push(settled.atMs - settled.pendingAtMs);
        }
      } else failed += 1;
      await page.getByRole('button', { name: 'Send another' }).click();
    }
    return { samplesMs, failed, submitMs, pendingMs };
  } finally {
    await context.close();
  }
}

/** A passphrase wallet made in the page, with the faucet's ABT on its balance. */
async function createFundedWallet(page: Page, webUrl: string): Promise<void> {
  await page.goto(`${webUrl}/wallet`);
  await page.getByLabel('New passphrase').fill(PASSPHRASE);
  await page.getByLabel('Type it again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create with passphrase' }).click();
  await page.getByRole('button', { name: /^Get .* test / }).click();
  // The balance shows a non-zero amount once the faucet's transfer commits (the page follows the account live).
  await page.waitForFunction(() => /[1-9]/.test(document.querySelector('[data-testid="abt-balance"]')?.textContent ?? ''));
}

/**
 * Runs in the page before its scripts: notes when "Sign" is clicked (the event's time) and the first frame in which
 * the sent transaction's status says Committed or Rejected. Self-contained: it is serialized into the page.
 */
function observeSends(): void {
  const record: BenchWindow['__arcBenchSends'] = { signedAtMs: null, pendingAtMs: null, settled: [] };
  (window as unknown as BenchWindow).__arcBenchSends = record;
  let shownStatus: Element | null = null;
  let pendingStatus: Element | null = null;
  document.addEventListener(
    'click',
    (event) => {
      const button = event.target instanceof Element ? event.target.closest('button') : null;
      if (button?.textContent?.trim() === 'Sign') record.signedAtMs = performance.timeOrigin + event.timeStamp;
    },
    true,
  );
  const scan = () => {
    const status = document.querySelector('[data-testid="tx-status"]');
    const text = status?.textContent?.trim() ?? '';
    if (!status || status === shownStatus) return;
    // The frame that paints it: what a person sees.
    if (text === 'Pending' && status !== pendingStatus) {
      pendingStatus = status;
      requestAnimationFrame(() => {
        record.pendingAtMs = performance.timeOrigin + performance.now();
      });
    }
    if (text !== 'Committed' && text !== 'Rejected') return;
    shownStatus = status;
    const { signedAtMs } = record;
    record.signedAtMs = null;
    requestAnimationFrame(() => {
      record.settled.push({ status: text, atMs: performance.timeOrigin + performance.now(), signedAtMs, pendingAtMs: record.pendingAtMs });
      record.pendingAtMs = null;
    });
  };
  new MutationObserver(scan).observe(document, { childList: true, subtree: true, characterData: true });
}
