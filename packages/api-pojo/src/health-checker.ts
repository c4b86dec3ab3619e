import { z } from 'zod';
import { NACOS_ERROR_CODES, NacosError } from './errors';

/** TCP connect check (the default for a new cluster). */
export const TcpCheckerSchema = z.object({ type: z.literal('TCP') });
/** HTTP GET check; `headers` is `k:v|k2:v2`. Nacos ignores `expectedResponseCode` (only 200 passes). */
export const HttpCheckerSchema = z.object({
  type: z.literal('HTTP'),
  path: z.string().default(''),
  headers: z.string().default(''),
  expectedResponseCode: z.coerce.number().int().default(200),
});
/** MySQL check (kept as data; Tacos does not run it). */
export const MysqlCheckerSchema = z.object({
  type: z.literal('MYSQL'),
  user: z.string().optional(),
  pwd: z.string().optional(),
  cmd: z.string().optional(),
});
/** No server-side check: health is set by `PUT /v1/ns/health`. */
export const NoneCheckerSchema = z.object({ type: z.literal('NONE') });

/** The health checker union, discriminated by `type`. */
export const HealthCheckerSchema = z.discriminatedUnion('type', [
  TcpCheckerSchema,
  HttpCheckerSchema,
  MysqlCheckerSchema,
  NoneCheckerSchema,
]);
/** A cluster's health checker. */
export type HealthChecker = z.infer<typeof HealthCheckerSchema>;
/** The four checker type names. */
export type HealthCheckerType = HealthChecker['type'];

/** The default checker of a new cluster. */
export const DEFAULT_HEALTH_CHECKER: HealthChecker = Object.freeze({ type: 'TCP' }) as HealthChecker;

/** What `GET /v1/ns/health/checkers` lists: one default instance per type. */
export function defaultHealthCheckers(): Record<HealthCheckerType, HealthChecker> {
  return {
    TCP: { type: 'TCP' },
    HTTP: { type: 'HTTP', path: '', headers: '', expectedResponseCode: 200 },
    MYSQL: { type: 'MYSQL' },
    NONE: { type: 'NONE' },
  };
}

/**
 * Parses the `healthChecker` parameter (a JSON object). As in Nacos an unknown or missing `type`
 * becomes NONE; malformed JSON or wrong field types throw INVALID_PARAM naming the field.
 */
export function parseHealthChecker(raw: string): HealthChecker {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param 'healthChecker' is illegal, not JSON: ${raw}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param 'healthChecker' is illegal, not a JSON object: ${raw}`);
  }
  const type = (value as { type?: unknown }).type;
  if (type !== 'TCP' && type !== 'HTTP' && type !== 'MYSQL' && type !== 'NONE') return { type: 'NONE' };
  const parsed = HealthCheckerSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid';
    throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param 'healthChecker' is illegal, ${where}`);
  }
  return parsed.data;
}
