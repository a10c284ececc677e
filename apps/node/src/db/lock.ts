import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Whether a process with this pid is alive (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data folder for this process: two nodes on one PGlite folder would corrupt it. A lock
 * left by a process that died (kill -9) is taken over.
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  // The lock sits beside the database folder, which may not exist yet (it is created by rename).
  await mkdir(dirname(dir), { recursive: true });
  const path = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        throw new Error(`another node (pid ${holder}) is using ${dir}; stop it or set another DATA_DIR`);
      }
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not lock ${dir}`);
}
