import { BLOCKLET_TEMPLATE_INFO, BLOCKLET_TEMPLATES, type BlockletTemplateName, blockletTemplateFiles } from '@arc/core';
import { sdkTypesFile } from './sdk-types.ts';

/**
 * What `arc blocklet init` writes: a project that needs nothing but the `arc` command. blocklet.yml and index.ts
 * come from @arc/core's templates (the web console creates the same ones); index.ts is typed against types.d.ts,
 * the SDK's interfaces written from @arc/core's source when the project is made (sdk-types.ts); the node bundles
 * the TypeScript itself, so there is no build step and no dependency to install.
 */

export const TEMPLATES = BLOCKLET_TEMPLATES;
export type TemplateName = BlockletTemplateName;

export interface TemplateInput {
  name: string;
  author: string;
  template: TemplateName;
}

function readme(input: TemplateInput): string {
  const routes = BLOCKLET_TEMPLATE_INFO[input.template].route;
  return `# ${input.name}

A blocklet: a serverless component that runs on an Arc node. \`blocklet.yml\` declares what it may do
(routes, triggers, hosts, topics, limits); \`index.ts\` exports its handlers. \`types.d.ts\` holds the SDK
types, so editors check the code; nothing needs installing.

\`\`\`sh
arc blocklet dev                      # the local dev node (mock chain): redeploys on every save, tails logs
arc blocklet deploy                   # deploys this version and moves "live" to it
curl $ARC_NODE_URL/b/${input.name}${routes}
arc blocklet logs ${input.name} --follow
arc blocklet rollback ${input.name}          # live back to the previous version
\`\`\`

Each deploy needs a new \`version\` in blocklet.yml (semver). Deploying spends a transaction fee from your
key's account; on a dev chain, \`arc faucet\` gives you test ABT.
`;
}

/** The files of a new project, by name. */
export function templateFiles(input: TemplateInput): Record<string, string> {
  return { ...blockletTemplateFiles(input), 'types.d.ts': sdkTypesFile(), 'README.md': readme(input) };
}
