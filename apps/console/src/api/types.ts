// The console reads the server's answers through @tacos/client's own types (which use @tacos/api-pojo's
// wire types); only the catalog service detail is narrowed here, because the client keeps its clusters
// open (`Record<string, unknown>`) and the detail page reads their fields.
import type { CatalogServiceDetail, HealthChecker } from '@tacos/client';

/** A cluster as `GET /v1/ns/catalog/service` lists it (Nacos' ClusterInfo; fields vary by server). */
export interface ClusterInfo {
  name: string;
  healthChecker?: HealthChecker;
  defaultPort?: number;
  defaultCheckPort?: number;
  defCkport?: number;
  useIPPort4Check?: boolean;
  metadata?: Record<string, string>;
  [key: string]: unknown;
}

/** `GET /v1/ns/catalog/service` answer, with its clusters read as {@link ClusterInfo}. */
export interface ServiceDetail extends Omit<CatalogServiceDetail, 'clusters'> {
  clusters: ClusterInfo[];
}
