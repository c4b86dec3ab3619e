// Shared pieces of the browser tests: the built console's location, where screenshots go, and a headless
// Chromium page that records every page error and CSP violation, so a test can fail on them.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { removeDir, tempDir } from '@tacos/testkit';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';

const CONSOLE_DIR = resolve(__dirname, '..');

/** The built console (`vite build` output) that the server under test serves at `/nacos/`. */
export const DIST = join(CONSOLE_DIR, 'dist');

/**
 * Where screenshots go: the committed `screenshots/` (linked from the README) only with
 * UPDATE_SCREENSHOTS=1, otherwise a git-ignored folder, so a test run leaves the tree clean.
 */
export const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1' ? join(CONSOLE_DIR, 'screenshots') : join(CONSOLE_DIR, 'test-artifacts', 'screenshots');

/** Throws unless `dist/index.html` exists; creates the screenshot folder. */
export function checkBuilt(): void {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: run "vite build" (the build script) first`);
  mkdirSync(SHOTS, { recursive: true });
}

/** The CSP the Tacos server sends with the console (see packages/server). */
export const CONSOLE_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/**
 * Checks that `base` serves the console itself at `/nacos/` with the console CSP: the browser tests
 * exercise exactly what a user gets, headers included.
 */
export async function expectServedConsole(base: string): Promise<void> {
  const res = await fetch(`${base}/nacos/`);
  const html = await res.text();
  if (!res.ok || !html.includes('<div id="root">')) throw new Error(`${base}/nacos/ does not serve the console (HTTP ${res.status}); is TACOS_CONSOLE_DIR passed?`);
  const csp = res.headers.get('content-security-policy');
  if (csp !== CONSOLE_CSP) throw new Error(`unexpected Content-Security-Policy on /nacos/: ${csp}`);
}

/** A headless Chromium with one page; `problems` collects page errors and CSP/"Refused to" console messages. */
export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and security refusals seen so far, in order. */
  problems: string[];
  /** Throws when `problems` is not empty (call it in afterEach). */
  expectNoProblems(): void;
  close(): Promise<void>;
}

// Chrome reports a CSP violation, and a header the page may not set, as a console error starting so.
const SECURITY_MESSAGE = /Content Security Policy|Refused to/i;

/** Launches Chromium (fresh profile, 1280×800) and wires the problem recorder and dialog auto-accept. */
export async function openBrowser(): Promise<BrowserSession> {
  const profile = tempDir('tacos-console-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('dialog', (dialog) => void dialog.accept());
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && SECURITY_MESSAGE.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return {
    context,
    page,
    problems,
    expectNoProblems() {
      if (problems.length > 0) {
        const seen = problems.splice(0);
        throw new Error(`the page reported problems:\n${seen.join('\n')}`);
      }
    },
    async close() {
      await context.close();
      removeDir(profile);
    },
  };
}

/** Saves a screenshot of `page` as `<name>.png` in {@link SHOTS}, once no toast covers it. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.locator('.toast').waitFor({ state: 'detached', timeout: 5000 });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}
