/** The node computes with node:crypto (core's `@arc/core/node-crypto`, shared with the CLI). */
export { installNodeCrypto, nodeCryptoProvider } from '@arc/core/node-crypto';
