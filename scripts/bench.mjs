// `npm run bench [-- --quick]`: install (once), build (cached), then run the benchmark suite in bench/.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, ensureInstalled, turbo } from './workspace.mjs';

ensureInstalled();
turbo(['build']);
const result = spawnSync(process.execPath, [join(ROOT, 'bench', 'dist', 'run.js'), ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
