import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { NodeError } from '../errors.ts';
import { UPLOAD_LIMITS } from './api-schemas.ts';

const LOADERS = { '.js': 'js', '.mjs': 'js', '.ts': 'ts', '.mts': 'ts', '.json': 'json' } as const;

/**
 * Bundles a blocklet's uploaded source files into one ES module with esbuild, entirely in memory: only the
 * uploaded files can be imported (no node_modules, no Node built-ins), so what runs is exactly what was hashed.
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
    const result = await build({
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
