import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Where the build goes: `.next` unless ARC_WEB_DIST_DIR names another folder (a folder of its own per concurrent
  // build, e.g. two test runs in one checkout; build-if-stale.mjs and the e2e config read the same variable).
  distDir: process.env.ARC_WEB_DIST_DIR || '.next',
  // Our packages are consumed as TypeScript source (their `exports` point at `src/index.ts`). Their
  // explicit `.ts`/`.tsx` import extensions need no setting: Next 16 resolves them with Turbopack
  // (the default) and with `--webpack` alike.
  transpilePackages: ['@arc/ui', '@arc/core', '@arc/client'],
  experimental: {
    // Our packages' entry files are barrels (`export * from …`): an import of one name must bundle the module that
    // defines it, not the whole package (the keystore, the ledger, the YAML parser) into every page's first load.
    optimizePackageImports: ['@arc/core', '@arc/client', '@arc/ui', 'radix-ui'],
  },
  typescript: {
    // `npm run typecheck` (turbo) checks this app with the rest of the monorepo; the build does not
    // repeat it, so a type error in another package never stops `npm start` from serving the page.
    ignoreBuildErrors: true,
  },
  // `/trpc/*` → `${NODE_URL}/trpc/*` is a rewrite in src/proxy.ts, not here: rewrites declared here
  // are frozen into the build, and NODE_URL is only known when the server starts.
};

export default nextConfig;
