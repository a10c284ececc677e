// What `npm start` decides before it starts anything, and how it words its summary: its own flags, the local
// chains to run, the environment of the node and of the web app. Pure functions, tested in start-options.test.mjs.

/** The flags `npm start` reads itself; every other argument goes on to the node (`--workers N`). */
export const START_FLAGS = ['--no-anvil'];

/** Splits `npm start -- …` arguments into ours and the node's. */
export function splitArgs(argv) {
  return {
    anvil: !argv.includes('--no-anvil'),
    nodeArgs: argv.filter((arg) => !START_FLAGS.includes(arg)),
  };
}

/**
 * Which local chains to start beside the node (apps/node/src/devchains): none when OCAP_CONFIG_FILE names the
 * chains; no anvil with --no-anvil or when ETHEREUM_RPC_URL points at an EVM already; no regtest chain when
 * BITCOIN_RPC_URL points at a Bitcoin node already. `skipped` says why, one sentence each.
 */
export function localChainsPlan(env, { anvil }) {
  if (env.OCAP_CONFIG_FILE) {
    return {
      anvil: false,
      regtest: false,
      skipped: [`OCAP_CONFIG_FILE is set: the node reaches the chains it names, no local chains started`],
    };
  }
  const skipped = [];
  let runAnvil = anvil;
  if (!anvil) skipped.push('--no-anvil: no local EVM (anvil)');
  else if (env.ETHEREUM_RPC_URL) {
    runAnvil = false;
    skipped.push('ETHEREUM_RPC_URL is set: the node reaches that EVM, no anvil started');
  }
  const regtest = !env.BITCOIN_RPC_URL;
  if (!regtest) skipped.push('BITCOIN_RPC_URL is set: the node reaches that Bitcoin node, no regtest chain started');
  return { anvil: runAnvil, regtest, skipped };
}

/** The web app's origins the node lets browsers call (CORS_ORIGINS) unless the environment sets them. */
export function webOrigins(webPort) {
  return [`http://127.0.0.1:${webPort}`, `http://localhost:${webPort}`];
}

/** The node's environment: ours, the local chains' shortcuts, CORS for the web app (each unless set already). */
export function nodeEnv(env, { port, host, dataDir, webPort, chainsEnv }) {
  return {
    // The seeded demo's notification component delivers to inbox:<did>, a topic only a trusted blocklet may publish.
    BLOCKLET_TRUSTED_PUBLISHERS: 'notification',
    CORS_ORIGINS: webOrigins(webPort).join(','),
    ...chainsEnv,
    ...env,
    PORT: String(port),
    HOST: host,
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
  };
}

/** The web app's environment: the node for its server (NODE_URL) and for browsers' Socket.io (NODE_PUBLIC_URL). */
export function webEnv(env, nodeUrl) {
  return { ...env, NODE_URL: nodeUrl, NODE_PUBLIC_URL: env.NODE_PUBLIC_URL || nodeUrl, NEXT_TELEMETRY_DISABLED: '1' };
}

/** The lines of one local chain that could not start: why, and that the rest goes on. */
export function problemLine(problem) {
  const what = problem.chain === 'ethereum' ? 'anvil (the local EVM)' : 'the Bitcoin regtest chain';
  const hint = problem.chain === 'ethereum' ? ' (`npm start -- --no-anvil` skips it)' : '';
  return `${what} could not start: ${problem.error}; starting without the ${problem.chain} chain${hint}`;
}

/** The summary's chain lines: name, CAIP-2 id, adapter and whether it answers, aligned. */
export function chainLines(chains, ethereum) {
  const rows = chains.map((chain) => [
    chain.name,
    chain.info?.chainId ?? '-',
    chain.adapter,
    chain.status === 'ok' ? 'live' : `unavailable: ${chain.error}`,
  ]);
  const widths = [0, 1, 2].map((i) => Math.max(0, ...rows.map((row) => row[i].length)));
  return chains.flatMap((chain, index) => {
    const line = `    ${rows[index].map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join('  ')}`;
    // The test contracts anvil starts with, under their chain.
    const contracts =
      chain.adapter === 'ethereum' && ethereum
        ? [`      ERC-20 ATT ${ethereum.tokenAddress}`, `      ERC-721 ATA ${ethereum.assetAddress}`]
        : [];
    return [line, ...contracts];
  });
}
