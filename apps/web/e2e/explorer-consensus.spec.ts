import { expect, type Page, test } from '@playwright/test';
import { look } from './helpers/look.ts';
import { type ConsensusCluster, startConsensusCluster } from './testing/consensus-cluster.ts';

/** What a node answers to a tRPC query, asked of the node itself. */
async function nodeQuery<T>(page: Page, nodeUrl: string, path: string, input?: unknown): Promise<T> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await page.request.get(`${nodeUrl}/trpc/${path}${query}`);
  expect(response.ok(), `${path}: ${response.status()}`).toBe(true);
  return (await response.json()).result.data as T;
}

interface Status {
  recent: { height: number; decidedAtMs: number | null; final: boolean }[];
}

/** The height the network page says this node is agreeing on. */
async function shownConsensusHeight(page: Page): Promise<number> {
  return Number(await page.getByTestId('consensus-height').getAttribute('data-value'));
}

test.describe('on the e2e node, a chain of one node', () => {
  test('the network page says the chain runs on one node, with no consensus tables', async ({ page }) => {
    await page.goto('/explorer/network');
    await expect(page.getByRole('heading', { level: 1, name: 'Network' })).toBeVisible();
    const consensus = page.getByRole('region', { name: 'Consensus' });
    await expect(consensus.getByTestId('one-node-chain')).toHaveText(
      'This chain runs on one node (no validators in its genesis); npm run cluster -- --nodes 4 starts a network.',
    );
    await expect(page.getByRole('table', { name: 'Validators' })).toHaveCount(0);
    await expect(page.getByRole('table', { name: 'Peers' })).toHaveCount(0);
    // The processes are shown as before.
    await expect(page.getByRole('table', { name: 'Processes' }).locator('tbody tr')).toHaveCount(1);
  });

  test('a block page has no consensus section and no error', async ({ page }) => {
    await page.goto('/explorer/blocks/1');
    await expect(page.getByRole('region', { name: 'Header' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Seal' })).toContainText('signed by the one block producer');
    await expect(page.getByRole('region', { name: 'Consensus' })).toHaveCount(0);
    await expect(page.getByText('Final', { exact: true })).toHaveCount(0);
  });
});

test.describe('on a consensus network of 4 validator nodes', () => {
  test.describe.configure({ mode: 'serial' });
  let cluster: ConsensusCluster | undefined;

  test.beforeAll(async () => {
    // A PGlite template, four node processes and a web app: about a minute, several on a busy machine (and a second
    // start when the first fails there, consensus-cluster.ts).
    test.setTimeout(540_000);
    cluster = await startConsensusCluster(4);
  });
  test.afterAll(async () => {
    test.setTimeout(60_000);
    await cluster?.stop();
  });

  function started(): ConsensusCluster {
    if (!cluster) throw new Error('the cluster did not start');
    return cluster;
  }

  test('the network page shows the 4 validators, connected peers, and the height advancing without a reload', async ({
    page,
  }, testInfo) => {
    test.slow();
    const { webUrl, validatorDids } = started();
    await page.goto(`${webUrl}/explorer/network`);
    await expect(page.getByRole('heading', { level: 2, name: 'Consensus', exact: true })).toBeVisible();

    // This node is the first validator, and says so.
    const self = page.getByRole('group', { name: 'This node' });
    await expect(self.getByRole('link', { name: validatorDids[0] })).toHaveAttribute('href', `/explorer/account/${validatorDids[0]}`);
    await expect(self.getByTestId('node-role')).toContainText('validator');

    // The genesis's 4 validators, each a quarter of the stake.
    const validators = page.getByRole('table', { name: 'Validators' });
    await expect(validators.locator('tbody tr')).toHaveCount(4);
    for (const did of validatorDids) await expect(validators.getByRole('link', { name: did })).toBeVisible();
    await expect(validators.locator('tbody tr').first()).toContainText('25%');

    // Its 3 peers, all connected (the page asks again every 2 s until they are).
    const peers = page.getByRole('table', { name: 'Peers' });
    await expect(peers.locator('[data-testid="peer-state"][data-state="connected"]:visible')).toHaveCount(3, { timeout: 30_000 });
    await expect(page.getByRole('group', { name: 'Peers' }).getByTestId('peers-connected')).toHaveText('3 / 3');

    // The height it agrees on grows, in this document.
    await page.evaluate(() => {
      (window as unknown as { __consensusMark: boolean }).__consensusMark = true;
    });
    const before = await shownConsensusHeight(page);
    await expect.poll(() => shownConsensusHeight(page), { timeout: 30_000 }).toBeGreaterThan(before);
    expect(await page.evaluate(() => (window as unknown as { __consensusMark?: boolean }).__consensusMark)).toBe(true);

    // Decided heights, with how long each took, linked to their blocks.
    const recent = page.getByRole('table', { name: 'Recent heights' });
    const decided = recent.locator('tbody tr').filter({ has: page.getByTestId('time-to-decide') });
    await expect(decided.first()).toContainText(/\d ms/);
    const link = decided.first().getByRole('link');
    await expect(link).toHaveAttribute('href', /^\/explorer\/blocks\/\d+$/);
    await expect(page.getByTestId('count-finalBlocks')).not.toHaveText('0');

    await look(page, testInfo, 'explorer-network-consensus', validators);
  });

  test('a block page shows how the validators decided it: Final, the attempt and step, and at least 3 votes', async ({
    page,
  }, testInfo) => {
    test.slow();
    const { webUrl, nodeUrls, validatorDids } = started();
    const firstNode = nodeUrls[0] as string;
    // A height this node decided as final.
    let height = 0;
    await expect
      .poll(
        async () => {
          const status = await nodeQuery<Status>(page, firstNode, 'consensus.status');
          height = status.recent.find((r) => r.decidedAtMs !== null && r.final)?.height ?? 0;
          return height;
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0);
    const block = await nodeQuery<{ proposer: string }>(page, firstNode, 'block.byHeight', { height });

    await page.goto(`${webUrl}/explorer/blocks/${height}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`#${height.toLocaleString('en-US')}`);
    // The proposer, one of the validators, linked to its account page.
    expect(validatorDids).toContain(block.proposer);
    const header = page.getByRole('region', { name: 'Header' });
    await expect(header.getByRole('link', { name: block.proposer })).toHaveAttribute('href', `/explorer/account/${block.proposer}`);

    const consensus = page.getByRole('region', { name: 'Consensus' });
    await expect(consensus.getByTestId('finality')).toContainText('Final');
    await expect(consensus.getByTestId('deciding-step')).toHaveText('Final step');
    await expect(consensus.getByTestId('deciding-attempt')).toContainText('attempt');
    await expect(consensus.getByTestId('vote-weight')).toContainText('above the threshold');
    await expect(consensus.getByTestId('vote-weight')).toContainText('of 4,000 staked');
    const votes = consensus.getByRole('table', { name: 'Certificate votes' }).locator('tbody tr');
    expect(await votes.count()).toBeGreaterThanOrEqual(3);
    // Each voter is a validator, linked to its account page, with a quarter of the stake.
    for (const row of await votes.all()) {
      const voter = row.getByRole('link');
      const did = (await voter.getAttribute('title')) ?? '';
      expect(validatorDids).toContain(did);
      await expect(voter).toHaveAttribute('href', `/explorer/account/${did}`);
      await expect(row).toContainText('25%');
    }

    await look(page, testInfo, 'explorer-block-consensus', consensus);
  });
});
