import {
  DEFAULT_CLUSTER_NAME,
  DEFAULT_GROUP,
  checkGroupedName,
  normalizeNamespaceId,
  paramRequired,
  parseJavaBoolean,
  parseJavaDouble,
  parseJavaInt,
  resolveGroupedName,
} from '@tacos/api-pojo';
import type { HandlerRequest } from './handler';

/**
 * Typed access to request parameters with Nacos' rules: values are trimmed; a present-but-blank
 * optional parameter falls back to its default; a missing or blank required one throws
 * `Param 'x' is required.` (400); malformed numbers throw 400 naming the field.
 */
export class Params {
  private readonly req: HandlerRequest;

  constructor(req: HandlerRequest) {
    this.req = req;
  }

  /** Trimmed value; undefined when absent or blank. */
  get(name: string): string | undefined {
    const value = this.req.param(name);
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  /** Trimmed value, or `fallback` when absent or blank. */
  optional(name: string, fallback: string): string {
    return this.get(name) ?? fallback;
  }

  /** Trimmed value; throws PARAM_MISSING when absent or blank. */
  required(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw paramRequired(name);
    return value;
  }

  /** Java-style boolean (only "true" is true), or `fallback` when absent/blank. */
  bool(name: string, fallback: boolean): boolean {
    const value = this.get(name);
    return value === undefined ? fallback : parseJavaBoolean(value);
  }

  /** Required Java-style boolean. */
  requiredBool(name: string): boolean {
    return parseJavaBoolean(this.required(name));
  }

  /** Integer, or `fallback` when absent/blank; 400 naming the field when malformed. */
  int(name: string, fallback: number): number {
    const value = this.get(name);
    return value === undefined ? fallback : parseJavaInt(name, value);
  }

  /** Required integer. */
  requiredInt(name: string): number {
    return parseJavaInt(name, this.required(name));
  }

  /** Decimal, or `fallback` when absent/blank; 400 naming the field when malformed. */
  double(name: string, fallback: number): number {
    const value = this.get(name);
    return value === undefined ? fallback : parseJavaDouble(name, value);
  }

  /** Decimal when present, else undefined. */
  optionalDouble(name: string): number | undefined {
    const value = this.get(name);
    return value === undefined ? undefined : parseJavaDouble(name, value);
  }

  /** Boolean when present, else undefined. */
  optionalBool(name: string): boolean | undefined {
    const value = this.get(name);
    return value === undefined ? undefined : parseJavaBoolean(value);
  }

  /** `namespaceId`, blank → `public`. */
  namespaceId(): string {
    return normalizeNamespaceId(this.get('namespaceId'));
  }

  /** `groupName`, blank → DEFAULT_GROUP. */
  groupName(): string {
    return this.optional('groupName', DEFAULT_GROUP);
  }

  /**
   * The grouped service name: `serviceName` with `groupName@@` put in front when it has no `@@`
   * (Nacos' naming filter), checked for the `group@@service` format (400 otherwise).
   */
  groupedServiceName(name = 'serviceName'): string {
    const raw = this.get(name);
    if (raw === undefined) throw paramRequired(name);
    const grouped = resolveGroupedName(raw, this.get('groupName'));
    checkGroupedName(grouped);
    return grouped;
  }

  /** `clusterName` (alias `cluster`), blank → DEFAULT. */
  clusterName(): string {
    return this.get('clusterName') ?? this.get('cluster') ?? DEFAULT_CLUSTER_NAME;
  }

  /** A header value. */
  header(name: string): string | undefined {
    return this.req.header(name);
  }

  /** The User-Agent (falls back to `Client-Version`, which Nacos clients also send), or "". */
  userAgent(): string {
    return this.req.header('user-agent') ?? this.req.header('client-version') ?? '';
  }
}
