import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A held data-directory lock; `release()` removes it (idempotent). */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files held by this process (a second server in the same process must not take them over). */
const HELD = new Set<string>();

/**
 * Takes `<dataDir>/tacos.pid` so two servers never run Raft on the same store (LMDB itself would let
 * both write). A lock left by a dead process (kill -9) is taken over. Throws an Error whose message
 * names the process holding the directory.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = join(dataDir, 'tacos.pid');
  if (HELD.has(file)) throw new Error(`data directory ${dataDir} is in use by another Tacos server in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      HELD.add(file);
      let released = false;
      return {
        file,
        release: () => {
          if (released) return;
          released = true;
          HELD.delete(file);
          rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = Number.NaN;
      try {
        holder = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      } catch {
        // Vanished or unreadable: try again.
      }
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(`data directory ${dataDir} is in use by another Tacos server (pid ${holder})`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot lock data directory ${dataDir}`);
}
