import { NACOS_ERROR_CODES, NacosError } from '@tacos/api-pojo';

/**
 * Small, framework-free guards against hostile input: size constants, a JSON depth check that scans
 * text iteratively (so a `[[[[…` bomb never reaches a recursive parser or walker), a prototype-pollution
 * key check, parameter length limits, and the console's security headers.
 */

/**
 * Total request header bytes accepted. Pass it to `http.createServer({ maxHeaderSize })`; node answers
 * 431 (Request Header Fields Too Large) past it. 16 KiB is node's default; say it explicitly so a
 * change of default does not widen it.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Request body bytes accepted on the public API (answer 413 past it). Nacos' params are small. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Deepest JSON nesting accepted in any JSON-valued parameter (`metadata`, `beat`, `healthChecker`…). */
export const MAX_JSON_DEPTH = 16;

/** Longest parameter value by default (characters). */
export const MAX_PARAM_LENGTH = 4096;

/**
 * Per-parameter limits that differ from {@link MAX_PARAM_LENGTH}: JSON-valued parameters may be longer;
 * names follow Nacos' own bounds (service names 512, groups and namespaces 128).
 */
export const PARAM_LENGTH_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  metadata: 64 * 1024,
  beat: 64 * 1024,
  healthChecker: 16 * 1024,
  selector: 16 * 1024,
  serviceName: 512,
  groupName: 128,
  namespaceId: 128,
  clusterName: 128,
  clusters: 4096,
  ip: 256,
  username: 128,
  password: 256,
  accessToken: 4096,
});

/** Property names that can reach an object's prototype when copied into a plain object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True when `key` must never be used as an object key taken from input. */
export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

/**
 * The greatest nesting depth of `[`/`{` in `text`, counting only brackets outside JSON strings.
 * Iterative, O(length), no allocation per level; stops early and returns `stopAt + 1` once deeper than
 * `stopAt`. Does not validate the JSON (the parser does that afterwards).
 */
export function jsonTextDepth(text: string, stopAt: number = Number.MAX_SAFE_INTEGER): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if ((c === 0x5d /* ] */ || c === 0x7d /* } */) && depth > 0) {
      // Clamped at 0: leading closers must not buy an attacker extra levels further on.
      depth--;
    }
  }
  return max;
}

/**
 * The first forbidden key ({@link FORBIDDEN_KEYS}) anywhere in a parsed JSON value, or undefined.
 * Iterative (explicit stack), visits each node once.
 */
export function findForbiddenKey(value: unknown): string | undefined {
  return inspectJson(value, Number.MAX_SAFE_INTEGER).forbidden;
}

/**
 * One walk over a parsed JSON value (explicit stack, depth-first, each node once): whether it nests
 * deeper than `maxDepth` (an object or array is one level, as {@link jsonTextDepth} counts them; the
 * walk stops there) and else the first forbidden key.
 */
function inspectJson(value: unknown, maxDepth: number): { tooDeep: boolean; forbidden?: string } {
  const nodes: unknown[] = [value];
  const depths: number[] = [1];
  let forbidden: string | undefined;
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop() as number;
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return { tooDeep: true };
    if (Array.isArray(node)) {
      for (const item of node) {
        nodes.push(item);
        depths.push(depth + 1);
      }
      continue;
    }
    for (const key of Object.keys(node)) {
      if (forbidden === undefined && isForbiddenKey(key)) forbidden = key;
      nodes.push((node as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return { tooDeep: false, forbidden };
}

/**
 * Parses a JSON-valued parameter safely: length ≤ `maxLength`, nesting ≤ `maxDepth`, valid JSON, and
 * no `__proto__`/`constructor`/`prototype` key at any depth; problems are reported in that order.
 * Throws NacosError INVALID_PARAM naming `field` (400); the message never echoes the value.
 * V8's `JSON.parse` is iterative (a million levels parse without a stack overflow) and the length is
 * bounded, so the depth is checked on the parsed value, in the same walk as the keys; the text is
 * scanned only when it does not parse, to tell "too deep" from "not JSON" as before. That scan cost a
 * beat 235 ns, a third of the whole check.
 */
export function parseUntrustedJson(
  field: string,
  text: string,
  options: { maxDepth?: number; maxLength?: number } = {},
): unknown {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const maxLength = options.maxLength ?? PARAM_LENGTH_LIMITS[field] ?? MAX_PARAM_LENGTH;
  if (text.length > maxLength) throw illegal(field, `it must be at most ${maxLength} characters long`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    if (jsonTextDepth(text, maxDepth) > maxDepth) throw illegal(field, `JSON nesting deeper than ${maxDepth}`);
    throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param '${field}' is illegal, not valid JSON`, { cause });
  }
  const { tooDeep, forbidden } = inspectJson(value, maxDepth);
  if (tooDeep) throw illegal(field, `JSON nesting deeper than ${maxDepth}`);
  if (forbidden !== undefined) throw illegal(field, `key '${forbidden}' is not allowed`);
  return value;
}

/**
 * Checks parameter names and value lengths. `params` yields `[name, value]` pairs (every query and
 * form parameter). Returns a 400-ready message for the first violation, else undefined:
 * a forbidden name (`__proto__`…), a name longer than 128 characters, or a value longer than its
 * limit ({@link PARAM_LENGTH_LIMITS}, else `defaultLimit`).
 */
export function checkParams(params: Iterable<readonly [string, string]>, defaultLimit: number = MAX_PARAM_LENGTH): string | undefined {
  for (const [name, value] of params) {
    const problem = checkParam(name, value, defaultLimit);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** {@link checkParams} for one parameter. */
export function checkParam(name: string, value: string, defaultLimit: number = MAX_PARAM_LENGTH): string | undefined {
  if (isForbiddenKey(name)) return `Param '${name}' is not allowed`;
  if (name.length > 128) return 'a parameter name is longer than 128 characters';
  const limit = Object.hasOwn(PARAM_LENGTH_LIMITS, name) ? (PARAM_LENGTH_LIMITS[name] as number) : defaultLimit;
  if (value.length > limit) return `Param '${name}' is illegal, it must be at most ${limit} characters long`;
  return undefined;
}

/**
 * Security headers for every response, as `[name, value]` pairs to set. With `console: true` (HTML
 * and assets of the web console) a strict Content-Security-Policy is added: everything from the server
 * itself only, no inline script, no plugins, no framing. API answers get the framing, sniffing and
 * referrer headers too; they are harmless for clients and stop a browser from rendering an API answer
 * as a page.
 */
export function securityHeaders(options: { console: boolean }): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
  ];
  if (options.console) {
    headers.push([
      'Content-Security-Policy',
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join('; '),
    ]);
  }
  return headers;
}

function illegal(field: string, why: string): NacosError {
  return new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param '${field}' is illegal, ${why}`);
}
