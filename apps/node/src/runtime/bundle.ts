import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { type BuildOptions, type BuildResult, build, type Plugin, stop } from 'esbuild';
import { NodeError } from '../errors.ts';
import { UPLOAD_LIMITS } from './api-schemas.ts';
import { scanSources } from './bundle-scan.ts';

const LOADERS = { '.js': 'js', '.mjs': 'js', '.ts': 'ts', '.mts': 'ts', '.json': 'json' } as const;

/** Bounds of the bundler: builds run one at a time, so a source that kills esbuild's service fails alone. */
export const BUNDLER_LIMITS = { queuedMax: 32 } as const;

/**
 * Bundles a blocklet's uploaded source files into one ES module with esbuild, entirely in memory: only the
 * uploaded files can be imported (no node_modules, no Node built-ins), so what runs is exactly what was hashed.
 * The sources are scanned first (bundle-scan.ts) so that nothing nests deeper than esbuild can take.
 */
export async function bundleBlocklet(files: Record<string, string>, entry: string): Promise<{ code: string; hash: string; bytes: number }> {
  const paths = new Map(Object.entries(files).map(([path, text]) => [posix.normalize(path), text]));
  const total = [...paths.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  if (paths.size > UPLOAD_LIMITS.filesMax || total > UPLOAD_LIMITS.sourceBytesMax) {
    throw new NodeError(
      'BUNDLE_TOO_LARGE',
      `An upload holds at most ${UPLOAD_LIMITS.filesMax} files and ${UPLOAD_LIMITS.sourceBytesMax} bytes of source.`,
    );
  }
  const entryPath = posix.normalize(entry);
  if (!paths.has(entryPath)) throw new NodeError('BUNDLE_INVALID', `The manifest's entry "${entry}" is not among the uploaded files.`);
  scanSources(paths);

  const memory: Plugin = {
    name: 'uploaded-files',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: entryPath, namespace: 'upload' };
        if (!args.path.startsWith('.')) {
          return {
            errors: [
              {
                text: `"${args.path}" is not an uploaded file; a blocklet may import only its own files (vendor dependencies into the upload)`,
              },
            ],
          };
        }
        const base = posix.dirname(args.importer);
        const wanted = posix.normalize(posix.join(base, args.path));
        const candidates = [
          wanted,
          ...Object.keys(LOADERS).map((ext) => wanted + ext),
          ...Object.keys(LOADERS).map((ext) => posix.join(wanted, `index${ext}`)),
        ];
        const found = candidates.find((p) => paths.has(p));
        if (!found) return { errors: [{ text: `cannot find "${args.path}" from ${args.importer}` }] };
        return { path: found, namespace: 'upload' };
      });
      b.onLoad({ filter: /.*/, namespace: 'upload' }, (args) => {
        const ext = posix.extname(args.path) as keyof typeof LOADERS;
        return { contents: paths.get(args.path) ?? '', loader: LOADERS[ext] ?? 'js' };
      });
    },
  };

  let code: string;
  try {
    const result = await buildOnce({
      entryPoints: [entryPath],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      plugins: [memory],
      logLevel: 'silent',
      legalComments: 'none',
      charset: 'utf8',
    });
    code = result.outputFiles[0]?.text ?? '';
  } catch (error) {
    if (error instanceof NodeError) throw error;
    const errors =
      (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors ?? [];
    const lines = errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column} ${e.text}` : e.text));
    throw new NodeError('BUNDLE_INVALID', `The source does not bundle: ${lines.join('; ') || (error as Error).message}`);
  }
  const bytes = Buffer.byteLength(code);
  if (bytes > UPLOAD_LIMITS.bundleBytesMax) {
    throw new NodeError('BUNDLE_TOO_LARGE', `The bundle is ${bytes} bytes; a blocklet bundle is at most ${UPLOAD_LIMITS.bundleBytesMax}.`);
  }
  return { code, hash: createHash('sha256').update(code).digest('hex'), bytes };
}

let queue: Promise<unknown> = Promise.resolve();
let queued = 0;

/**
 * Runs one esbuild build after the ones before it. When esbuild's service process dies (killed, or a source it
 * could not take), its error carries no build messages: the service is stopped so that the next build starts a
 * fresh one, and this build is tried once more on it; a second death is the source's fault (BUNDLE_INVALID).
 */
async function buildOnce(options: BuildOptions & { write: false }): Promise<BuildResult<typeof options>> {
  if (queued >= BUNDLER_LIMITS.queuedMax)
    throw new NodeError(
      'UNAVAILABLE',
      `${queued} uploads are waiting for the bundler (at most ${BUNDLER_LIMITS.queuedMax}); retry shortly.`,
    );
  queued += 1;
  const run = queue.then(async () => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await build(options);
      } catch (error) {
        if (!serviceDied(error)) throw error;
        await stop();
        if (attempt >= 2) {
          throw new NodeError(
            'BUNDLE_INVALID',
            `The bundler stopped on this source twice (${(error as Error).message}): it nests or chains too deeply; flatten it.`,
          );
        }
      }
    }
  });
  // The queue only orders builds; each caller gets its own result or error from `run`.
  queue = run.then(
    () => undefined,
    () => undefined,
  );
  try {
    return await run;
  } finally {
    queued -= 1;
  }
}

/** esbuild reports a failed build with its messages; a service that stopped or died answers with none. */
function serviceDied(error: unknown): boolean {
  const errors = (error as { errors?: unknown }).errors;
  return !(Array.isArray(errors) && errors.length > 0);
}
