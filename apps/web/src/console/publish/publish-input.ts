import { parseAmount, publishComponent } from '@arc/client';
import {
  BLOCKLET_NAME,
  type ComponentKind,
  fromHex,
  isValidDid,
  MARKET_SLUG,
  type PublishComponentTx,
  SEMVER,
  SHARE_BPS_TOTAL,
  TX_LIMITS,
} from '@arc/core';

/** A README is at most this (the node's MARKET_LIMITS.readmeBytesMax). */
export const README_BYTES_MAX = 64 * 1024;
/** The kinds the console publishes (adapters ship as node packages, not from a blocklet). */
export const CONSOLE_KINDS = ['blocklet', 'component', 'application'] as const satisfies readonly ComponentKind[];
export const PRICE_MODELS = ['free', 'perMonth', 'perCall'] as const;

/** One row of the shares editor: a DID and a percentage as typed ("12.5"). */
export interface BeneficiaryRow {
  did: string;
  percent: string;
}

/** The publish form as typed. Hashes come from the picked version or the upload. */
export interface PublishForm {
  name: string;
  version: string;
  manifestHash: string;
  bundleHash: string;
  kind: (typeof CONSOLE_KINDS)[number];
  description: string;
  categories: string;
  chains: string;
  priceModel: (typeof PRICE_MODELS)[number];
  /** ABT, decimal (e.g. "0.5"); ignored when free. */
  priceAbt: string;
  beneficiaries: BeneficiaryRow[];
  readme: string;
  releaseNotes: string;
}

export type PublishField = 'source' | 'description' | 'categories' | 'chains' | 'price' | 'beneficiaries' | 'readme' | 'releaseNotes';

const bytes = (text: string) => new TextEncoder().encode(text).length;

/** The words of a comma- or space-separated list, lower-cased, without repeats. */
export function listWords(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((w) => w.trim().toLowerCase())
        .filter((w) => w !== ''),
    ),
  ];
}

/** A percentage as basis points ("12.5" → 1250), or null when it is not a number with at most two decimals. */
export function percentToBps(percent: string): number | null {
  const text = percent.trim().replace(/%$/, '');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text)) return null;
  const [whole = '0', fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** The shares' sum in basis points, counting rows whose percentage does not parse as 0. */
export function sharesSumBps(rows: BeneficiaryRow[]): number {
  return rows.reduce((sum, row) => sum + (percentToBps(row.percent) ?? 0), 0);
}

/** What is wrong with the form, field by field, in sentences; empty when it can be signed. */
export function publishProblems(form: PublishForm): Partial<Record<PublishField, string>> {
  const problems: Partial<Record<PublishField, string>> = {};
  if (!BLOCKLET_NAME.test(form.name) || !SEMVER.test(form.version) || !/^[0-9a-f]{64}$/.test(form.manifestHash)) {
    problems.source = 'Pick a deployed blocklet version or upload a folder first.';
  }
  if (form.description.trim() === '') problems.description = 'Write one line saying what it does.';
  else if (bytes(form.description) > TX_LIMITS.componentDescriptionBytes) {
    problems.description = `At most ${TX_LIMITS.componentDescriptionBytes} bytes; this is ${bytes(form.description)}.`;
  }
  const categories = listWords(form.categories);
  const badCategory = categories.find((c) => !MARKET_SLUG.test(c));
  if (categories.length === 0) problems.categories = 'Give at least one category, e.g. oracles.';
  else if (categories.length > TX_LIMITS.componentCategoriesMax)
    problems.categories = `At most ${TX_LIMITS.componentCategoriesMax} categories.`;
  else if (badCategory) problems.categories = `"${badCategory}" is not a category: 2–32 lower-case letters, digits or dashes.`;
  const chains = listWords(form.chains);
  const badChain = chains.find((c) => !MARKET_SLUG.test(c));
  if (chains.length > TX_LIMITS.componentChainsMax) problems.chains = `At most ${TX_LIMITS.componentChainsMax} chains.`;
  else if (badChain) problems.chains = `"${badChain}" is not a chain id such as arc, ethereum or bitcoin.`;
  if (form.priceModel !== 'free') {
    let amount: bigint | null = null;
    try {
      amount = parseAmount(form.priceAbt, 18);
    } catch {
      amount = null;
    }
    if (amount === null || amount <= 0n) problems.price = 'A paid price is an ABT amount above 0, e.g. 0.5.';
  }
  const rows = form.beneficiaries;
  const sum = sharesSumBps(rows);
  if (rows.length === 0 || rows.length > TX_LIMITS.beneficiariesMax) {
    problems.beneficiaries = `Give 1 to ${TX_LIMITS.beneficiariesMax} beneficiaries.`;
  } else if (rows.some((r) => !isValidDid(r.did.trim()))) {
    problems.beneficiaries = 'Every beneficiary is a did:abt: DID.';
  } else if (rows.some((r) => (percentToBps(r.percent) ?? 0) <= 0)) {
    problems.beneficiaries = 'Every share is a percentage above 0, with at most two decimals.';
  } else if (new Set(rows.map((r) => r.did.trim())).size !== rows.length) {
    problems.beneficiaries = 'A beneficiary appears twice; give one row per DID and add its shares.';
  } else if (sum !== SHARE_BPS_TOTAL) {
    problems.beneficiaries = `The shares add up to ${sum / 100}%; make them add up to exactly 100%.`;
  }
  if (form.readme.trim() === '') problems.readme = 'Write a README: what it does and how to use it.';
  else if (bytes(form.readme) > README_BYTES_MAX)
    problems.readme = `At most ${README_BYTES_MAX / 1024} KB; this is ${Math.ceil(bytes(form.readme) / 1024)} KB.`;
  if (bytes(form.releaseNotes) > TX_LIMITS.releaseNotesBytes) problems.releaseNotes = `At most ${TX_LIMITS.releaseNotesBytes} bytes.`;
  return problems;
}

/** The publishComponent transaction of a form without problems, naming the README's hash. */
export function publishItx(form: PublishForm, readmeHash: Uint8Array): PublishComponentTx {
  return publishComponent({
    kind: form.kind,
    name: form.name,
    version: form.version,
    description: form.description.trim(),
    manifestHash: fromHex(form.manifestHash),
    bundleHash: fromHex(form.bundleHash),
    readmeHash,
    releaseNotes: form.releaseNotes.trim(),
    categories: listWords(form.categories),
    chains: listWords(form.chains),
    price: form.priceModel === 'free' ? { model: 'free', amount: 0n } : { model: form.priceModel, amount: parseAmount(form.priceAbt, 18) },
    beneficiaries: form.beneficiaries.map((r) => ({ did: r.did.trim(), shareBps: percentToBps(r.percent) ?? 0 })),
  });
}

/** A README to start from when the source has none. */
export function starterReadme(name: string, description: string): string {
  return `# ${name}\n\n${description || 'What it does, in a sentence or two.'}\n\n## Usage\n\n\`\`\`sh\ncurl http://127.0.0.1:8080/b/${name}/\n\`\`\`\n\n## API\n\n| route | what it does |\n| --- | --- |\n| \`GET /\` | … |\n`;
}
