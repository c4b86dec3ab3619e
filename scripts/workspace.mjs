// Workspace bootstrap shared by `npm start`, `npm test` and `npm run build|lint|typecheck`.
// A fresh machine has only Node and npm: pnpm comes through npx the first time, after which the
// copy installed as a root devDependency is used. Install is skipped when the lockfile and every
// package.json are unchanged since the last successful install (a hash stamp in node_modules).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager.split('@')[1];
const STAMP = join(ROOT, 'node_modules', '.tacos-install-stamp');
const LOCAL_PNPM = join(ROOT, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');

const BIN = join(ROOT, 'node_modules', '.bin');
const quietEnv = {
  ...process.env,
  // Absolute, so turbo finds pnpm from inside each package folder.
  PATH: `${BIN}${delimiter}${process.env.PATH ?? ''}`,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
  NPM_CONFIG_UPDATE_NOTIFIER: 'false',
  COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
};

/** Runs a command in the repo root, inheriting stdio; exits the process with its code on failure. */
export function run(cmd, args, { allowFailure = false, env = {} } = {}) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...quietEnv, ...env } });
  if (result.error) {
    console.error(`tacos: could not run ${cmd}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0 && !allowFailure) {
    console.error(`tacos: '${cmd} ${args.join(' ')}' failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
  return result.status ?? 1;
}

function manifestHash() {
  const hash = createHash('sha256');
  const files = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'bench/package.json'];
  for (const group of ['packages', 'apps', 'tests']) {
    const base = join(ROOT, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) files.push(join(group, name, 'package.json'));
  }
  for (const file of files) {
    const full = join(ROOT, file);
    hash.update(file);
    if (existsSync(full)) hash.update(readFileSync(full));
  }
  return hash.digest('hex');
}

/** Runs pnpm with the given arguments (bootstrapping it through npx when not installed yet). */
export function pnpm(args, options) {
  if (existsSync(LOCAL_PNPM)) return run(process.execPath, [LOCAL_PNPM, ...args], options);
  return run('npx', ['--yes', `pnpm@${PNPM_VERSION}`, ...args], options);
}

/** Installs dependencies unless nothing changed since the last install. */
export function ensureInstalled() {
  const wanted = manifestHash();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return;
  console.log('tacos: installing dependencies (pnpm install)...');
  const frozen = existsSync(join(ROOT, 'pnpm-lock.yaml')) && process.env.CI ? ['--frozen-lockfile'] : [];
  pnpm(['install', '--prefer-offline', ...frozen]);
  writeFileSync(STAMP, manifestHash());
}

/** Runs turbo tasks (cached: a second run with no changes replays from the cache). */
export function turbo(tasks, extra = [], options) {
  return run(join(BIN, 'turbo'), ['run', ...tasks, '--output-logs=errors-only', ...extra], options);
}

// `node scripts/workspace.mjs build|lint|typecheck` runs that turbo task over the workspace.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const task = process.argv[2];
  if (!['build', 'lint', 'typecheck'].includes(task)) {
    console.error('usage: node scripts/workspace.mjs build|lint|typecheck');
    process.exit(2);
  }
  ensureInstalled();
  turbo([task], process.argv.slice(3));
}
