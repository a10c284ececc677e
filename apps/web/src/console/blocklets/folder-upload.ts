import { isUploadedSource, MANIFEST_FILES, type ManifestFile, uploadLimitProblem } from '@arc/core';

/** A file picked with `<input type=file webkitdirectory>`: its path under the picked folder, size and text. */
export interface PickedFile {
  /** `webkitRelativePath`: the picked folder's name, then the path inside it. */
  webkitRelativePath: string;
  name: string;
  size: number;
  text(): Promise<string>;
}

/** A blocklet project read from a folder: its manifest and source files by relative path. */
export interface FolderSource {
  manifestFile: ManifestFile;
  manifestText: string;
  files: Record<string, string>;
  sourceBytes: number;
}

/** Why a folder cannot be uploaded, in words. */
export class FolderProblem extends Error {
  override name = 'FolderProblem';
}

/** The path inside the picked folder (its first segment, the folder's own name, dropped). */
export function pathInFolder(file: PickedFile): string {
  const path = file.webkitRelativePath || file.name;
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

/**
 * Reads a picked folder the way `arc blocklet deploy` reads one (the same filters and limits, from @arc/core):
 * the manifest at its top, and its JavaScript, TypeScript and JSON sources outside node_modules, .git and
 * dot-folders. Sizes are checked before any file is read, so an oversize project is refused at once.
 */
export async function readPickedFolder(picked: Iterable<PickedFile>): Promise<FolderSource> {
  const byPath = new Map<string, PickedFile>();
  for (const file of picked) byPath.set(pathInFolder(file), file);
  const manifestFile = MANIFEST_FILES.find((name) => byPath.has(name));
  if (manifestFile === undefined) {
    throw new FolderProblem('this folder has no blocklet.yml (or blocklet.json) at its top; pick the folder that holds the manifest');
  }
  const sources = [...byPath].filter(([path]) => isUploadedSource(path)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const problem = uploadLimitProblem(sources.map(([path, file]) => [path, file.size]));
  if (problem !== null) throw new FolderProblem(problem);
  const files: Record<string, string> = {};
  let sourceBytes = 0;
  for (const [path, file] of sources) {
    files[path] = await file.text();
    sourceBytes += file.size;
  }
  const manifestText = await (byPath.get(manifestFile) as PickedFile).text();
  return { manifestFile, manifestText, files, sourceBytes };
}

/** The UTF-8 size of each file, for checking edited sources against the upload limits. */
export function sourceSizes(files: Record<string, string>): [string, number][] {
  const encoder = new TextEncoder();
  return Object.entries(files).map(([path, text]) => [path, encoder.encode(text).length]);
}
