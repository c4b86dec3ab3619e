// `npm test`: install, build, lint, typecheck, then every package's jest suite through turbo.
// Each suite writes jest's JSON summary to .jest-results.json; the last line printed is the total,
// `N passed, M failed`, over every suite (lint or typecheck failures count as failed checks).
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureInstalled, turbo } from './workspace.mjs';

const extra = process.argv.slice(2);
ensureInstalled();

const suites = [];
const dirs = ['packages', 'apps', 'tests'].flatMap((group) => readdirSync(join(ROOT, group)).sort().map((name) => join(ROOT, group, name)));
// The benchmark suite's own unit tests (options, report, clients, process control) count too.
dirs.push(join(ROOT, 'bench'));
for (const dir of dirs) {
  if (!existsSync(join(dir, 'package.json'))) continue;
  suites.push(dir);
  rmSync(join(dir, '.jest-results.json'), { force: true });
}

turbo(['build']);
const checksFailed = turbo(['lint', 'typecheck'], ['--continue'], { allowFailure: true }) !== 0;
const testsExit = turbo(['test'], ['--continue', '--concurrency=2', ...extra], { allowFailure: true });

let passed = 0;
let failed = 0;
const missing = [];
for (const dir of suites) {
  const file = join(dir, '.jest-results.json');
  if (!existsSync(file)) {
    missing.push(dir.slice(ROOT.length + 1));
    continue;
  }
  const result = JSON.parse(readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  // A suite that failed to load (syntax error, crash) has no failed tests but did fail.
  failed += result.numRuntimeErrorTestSuites ?? 0;
}
if (missing.length > 0) {
  console.error(`tacos: no test results from ${missing.join(', ')} (the suite did not run or crashed)`);
  failed += missing.length;
}
if (checksFailed) {
  console.error('tacos: lint or typecheck failed (see above)');
  failed += 1;
}
if (testsExit !== 0 && failed === 0) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
