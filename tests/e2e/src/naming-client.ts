// The real nacos-naming 2.6.3 client, typed for the suites, and a subscription that records every list
// it is given (with arrival times) and every push packet its receiver logged.
import { recordingLogger } from './support';

/** A host as nacos-naming hands it to callers (the server's JSON, unchanged). */
export interface Host {
  ip: string;
  port: number;
  weight: number;
  healthy: boolean;
  enabled: boolean;
  ephemeral: boolean;
  clusterName: string;
  serviceName: string;
  instanceId: string;
  metadata: Record<string, string>;
}

/** The part of nacos-naming's NacosNamingClient the suites use. */
export interface NamingClient {
  ready(): Promise<void>;
  close(): Promise<void>;
  registerInstance(service: string, instance: Record<string, unknown>, group?: string): Promise<void>;
  deregisterInstance(service: string, instance: Record<string, unknown>, group?: string): Promise<void>;
  getAllInstances(service: string, group?: string, clusters?: string, subscribe?: boolean): Promise<Host[]>;
  selectInstances(service: string, group?: string, clusters?: string, healthy?: boolean, subscribe?: boolean): Promise<Host[]>;
  getServerStatus(): Promise<'UP' | 'DOWN'>;
  subscribe(info: string | Record<string, string>, listener: (hosts: Host[]) => void): void;
  unSubscribe(info: string | Record<string, string>, listener?: (hosts: Host[]) => void): void;
}

// Alibaba Cloud credentials in the environment would make the client sign requests or fetch credentials.
for (const key of Object.keys(process.env)) if (key.startsWith('ALIBABA_CLOUD_')) delete process.env[key];

// nacos-naming is plain JS without types.
const { NacosNamingClient } = require('nacos-naming') as {
  NacosNamingClient: new (options: Record<string, unknown>) => NamingClient;
};

/** Creates and readies a client for the given `host:port` list; the caller closes it. */
export async function namingClient(serverList: string, options: Record<string, unknown> = {}): Promise<NamingClient> {
  const client = new NacosNamingClient({ logger: recordingLogger(), serverList, ...options });
  await client.ready();
  return client;
}

/** A subscription made by {@link subscribeWith}. */
export interface Subscription {
  client: NamingClient;
  logger: ReturnType<typeof recordingLogger>;
  /** Every list the listener got, with its arrival time. */
  updates: Array<{ at: number; ips: string[] }>;
  /** The client's UDP receiver port (what the server records as the subscriber). */
  udpPort: number;
}

/** A new client on `serverList` subscribed to `service` (DEFAULT cluster, as nacos-naming does). */
export async function subscribeWith(serverList: string, service: string): Promise<Subscription> {
  const logger = recordingLogger();
  const client = new NacosNamingClient({ logger, serverList });
  await client.ready();
  const updates: Subscription['updates'] = [];
  client.subscribe(service, (hosts) => updates.push({ at: Date.now(), ips: hosts.map((h) => `${h.ip}:${h.port}`).sort() }));
  // The receiver logs `udp server listen on %s:%s <address> <port>` (the recording logger keeps the raw arguments).
  const listen = logger.lines.find((l) => l.startsWith('info [PushReceiver] udp server listen on'));
  const udpPort = Number(listen?.split(' ').pop());
  expect(udpPort).toBeGreaterThan(0);
  return { client, logger, updates, udpPort };
}

/** The push packets the subscription's receiver logged (it logs each one before applying it). */
export const pushLines = (s: Subscription) => s.logger.lines.filter((l) => l.includes('[PushReceiver] received push data'));
