import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Creates a fresh directory under the OS temp dir. The caller removes it with {@link removeDir}. */
export function tempDir(prefix = 'tacos-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a directory tree; missing is fine. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
