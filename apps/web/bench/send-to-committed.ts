import type { Browser } from 'playwright-core';

/** Send → committed: clicking Send on /wallet/send to seeing Committed (filled in once the wallet's pages exist). */
export interface SendToCommitted {
  samplesMs: number[];
}

export async function measureSendToCommitted(
  _browser: Browser,
  _webUrl: string,
  _nodeUrl: string,
  _sends: number,
  _budgetMs: number,
): Promise<SendToCommitted> {
  return { samplesMs: [] };
}
