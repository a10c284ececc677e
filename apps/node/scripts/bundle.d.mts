/** dist/main.mjs, the bundled node. */
export declare const bundlePath: string;
/** Bundles src/main.ts into dist/main.mjs; answers its path. */
export declare function bundleNode(): Promise<string>;
