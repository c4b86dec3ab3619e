import { execFileSync, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's chromium lives (override with CHROMIUM_PATH). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a quiet, reproducible headless run. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Makes sure Chromium is installed: when it is missing, installs Debian's `chromium` with apt-get (as CI
 * does, running as root). Returns undefined when Chromium is there, or the reason the browser tests must
 * be skipped: only when there is no root or no apt-get to install it with. Any other install failure
 * throws, so a broken install fails the run instead of silently skipping it.
 */
export function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  let hasApt = true;
  try {
    execFileSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' });
  } catch {
    hasApt = false;
  }
  if (!isRoot || !hasApt) {
    return `${CHROMIUM_PATH} is missing and cannot be installed here (${!hasApt ? 'no apt-get' : 'not root'}); install Debian's chromium to run the browser tests`;
  }
  process.stderr.write('console e2e: installing chromium with apt-get (once)…\n');
  execSync('apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium', { stdio: 'inherit', timeout: 600_000 });
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get install chromium succeeded but ${CHROMIUM_PATH} is still missing`);
  return undefined;
}
