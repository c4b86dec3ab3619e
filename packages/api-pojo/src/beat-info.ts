import { z } from 'zod';
import { NACOS_ERROR_CODES, NacosError } from './errors';
import { type Metadata, toMetadata } from './metadata';

const numberish = z.union([z.number(), z.string().regex(/^[+-]?\d+(\.\d+)?$/).transform(Number)]);

/**
 * The `beat` JSON a client sends with a full beat. Unknown properties (the Node client's stray
 * `scheduled: true`, the server-side `load`, `cpu`, ...) are ignored, as Jackson is told to.
 */
export const BeatInfoSchema = z.object({
  ip: z.string().optional(),
  port: numberish.optional(),
  serviceName: z.string().optional(),
  cluster: z.string().optional(),
  weight: numberish.optional(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  ephemeral: z.boolean().optional(),
});

/** A parsed beat. `metadata` is already checked by the metadata rules. */
export interface BeatInfo {
  ip?: string;
  port?: number;
  serviceName?: string;
  cluster?: string;
  weight?: number;
  metadata?: Metadata;
}

/**
 * Parses the `beat` parameter. Throws INVALID_PARAM naming `beat` when it is not a valid beat JSON.
 * `alreadyParsed`, when given, is `JSON.parse(raw)` done earlier (e.g. by an input guard), used as is.
 */
export function parseBeatInfo(raw: string, alreadyParsed?: unknown): BeatInfo {
  let value: unknown = alreadyParsed;
  if (value === undefined) {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new NacosError(NACOS_ERROR_CODES.INVALID_PARAM, `Param 'beat' is illegal, not JSON: ${raw}`);
    }
  }
  const common = commonBeat(value);
  if (common !== undefined) return common;
  const parsed = BeatInfoSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NacosError(
      NACOS_ERROR_CODES.INVALID_PARAM,
      `Param 'beat' is illegal, ${issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'invalid'}`,
    );
  }
  const rest = parsed.data;
  // Check the metadata as sent: zod's record copy silently drops a `__proto__` key.
  const metadata = (value as { metadata?: unknown }).metadata;
  const out: BeatInfo = {};
  if (rest.ip !== undefined) out.ip = rest.ip.trim();
  if (rest.port !== undefined) out.port = rest.port;
  if (rest.serviceName !== undefined) out.serviceName = rest.serviceName;
  if (rest.cluster !== undefined) out.cluster = rest.cluster;
  if (rest.weight !== undefined) out.weight = rest.weight;
  if (metadata) out.metadata = toMetadata(metadata);
  return out;
}

/**
 * The beat every client sends (known fields absent or of their plain JSON type, metadata absent, null
 * or an object) read without zod: one beat per instance every 5 s makes this a hot path. Anything else
 * returns undefined and goes through {@link BeatInfoSchema}, which names the problem.
 */
function commonBeat(value: unknown): BeatInfo | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const { ip, port, serviceName, cluster, weight, metadata, ephemeral } = v;
  if (ip !== undefined && typeof ip !== 'string') return undefined;
  if (port !== undefined && typeof port !== 'number') return undefined;
  if (serviceName !== undefined && typeof serviceName !== 'string') return undefined;
  if (cluster !== undefined && typeof cluster !== 'string') return undefined;
  if (weight !== undefined && typeof weight !== 'number') return undefined;
  if (ephemeral !== undefined && typeof ephemeral !== 'boolean') return undefined;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) return undefined;
  const out: BeatInfo = {};
  if (ip !== undefined) out.ip = ip.trim();
  if (port !== undefined) out.port = port;
  if (serviceName !== undefined) out.serviceName = serviceName;
  if (cluster !== undefined) out.cluster = cluster;
  if (weight !== undefined) out.weight = weight;
  if (metadata) out.metadata = toMetadata(metadata);
  return out;
}
