import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock';

describe('lockDataDir', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tacos-lock-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the directory until released', () => {
    const lock = lockDataDir(dir);
    expect(readFileSync(lock.file, 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockDataDir(dir)).toThrow('is in use by another Tacos server in this process');
    lock.release();
    lock.release();
    lockDataDir(dir).release();
  });

  it('refuses a directory held by a live process', () => {
    // pid 1 always exists.
    writeFileSync(join(dir, 'tacos.pid'), '1\n');
    expect(() => lockDataDir(dir)).toThrow(`data directory ${dir} is in use by another Tacos server (pid 1)`);
  });

  it('takes over a lock left by a dead process or garbage', () => {
    writeFileSync(join(dir, 'tacos.pid'), '999999999\n');
    lockDataDir(dir).release();
    writeFileSync(join(dir, 'tacos.pid'), 'garbage');
    lockDataDir(dir).release();
  });
});
