import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

/** Headers on every console response: the console loads only its own scripts, styles and API. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
});

/**
 * Where the built console is by default: `apps/console/dist` in this repository (the server runs
 * from `packages/server/dist`). Returns undefined when it is not built, so the server runs API-only.
 */
export function defaultConsoleDir(): string | undefined {
  const dir = resolve(__dirname, '..', '..', '..', 'apps', 'console', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/**
 * Serves the console's static build under `/nacos/`. `index.html` is never cached (it names the
 * current asset files); the content-hashed assets are cached for a year. API paths under
 * `/nacos/v1/` and `/nacos/actuator/` are left to the API. Routes in the console are hash routes, so
 * no history fallback is needed.
 */
export function consoleRouter(consoleDir: string): Router {
  const router = express.Router();
  const indexFile = join(consoleDir, 'index.html');
  const securityHeaders = (_req: Request, res: Response, next: NextFunction) => {
    res.set(CONSOLE_SECURITY_HEADERS);
    next();
  };
  const sendIndex = (_req: Request, res: Response) => {
    res.set('cache-control', 'no-cache').sendFile(indexFile);
  };
  router.get('/nacos', (req: Request, res: Response, next: NextFunction) => {
    // Express matches `/nacos/` here too unless strict; only redirect the bare path.
    if (req.originalUrl.split('?')[0] !== '/nacos') return next();
    res.redirect(301, '/nacos/');
  });
  router.get(['/nacos/', '/nacos/index.html'], securityHeaders, sendIndex);
  router.use(
    '/nacos',
    (req: Request, _res: Response, next: NextFunction) => {
      if (req.path.startsWith('/v1/') || req.path.startsWith('/actuator/')) return next('router');
      next();
    },
    securityHeaders,
    express.static(consoleDir, { index: false, immutable: true, maxAge: '365d', fallthrough: true }),
  );
  return router;
}
