import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { UdpPushService } from './udp-push-service';

// The real nacos-naming 2.6.3 receiver, installed for the e2e tests (not a dependency of core).
const LIB = path.resolve(__dirname, '../../../../tests/e2e/node_modules/nacos-naming/lib/naming');
const present = existsSync(path.join(LIB, 'push_receiver.js'));

interface Receiver {
  ready(): Promise<void>;
  readonly udpPort: number;
  close(): Promise<void>;
  on(event: 'error', fn: (err: Error) => void): void;
}
type ReceiverClass = new (hostReactor: unknown) => Receiver;
interface ServiceInfoLike {
  getKey(): string;
  readonly isValid: boolean;
  hosts: Array<{ ip: string; port: number }>;
}
type ServiceInfoClass = new (data: unknown) => ServiceInfoLike;

const quiet = { info() {}, warn() {}, debug() {}, error() {} };

(present ? describe : describe.skip)('UdpPushService with the real nacos-naming PushReceiver', () => {
  const PushReceiver = present ? (require(path.join(LIB, 'push_receiver.js')) as ReceiverClass) : undefined;
  const ServiceInfo = present ? (require(path.join(LIB, 'service_info.js')) as ServiceInfoClass) : undefined;
  let receiver: Receiver | undefined;
  let pusher: UdpPushService | undefined;

  afterEach(async () => {
    await receiver?.close();
    await pusher?.close();
    receiver = undefined;
    pusher = undefined;
  });

  async function run(hostCount: number) {
    const received: ServiceInfoLike[] = [];
    const errors: Error[] = [];
    receiver = new PushReceiver!({
      logger: quiet,
      // What HostReactor does first: parse the `data` string into a ServiceInfo and key it.
      processServiceJSON(json: string) {
        received.push(new ServiceInfo!(JSON.parse(json)));
      },
      getServiceInfoMap: () => ({}),
    });
    receiver.on('error', (err) => errors.push(err));
    await receiver.ready();
    const udpPort = receiver.udpPort;
    const hosts = Array.from({ length: hostCount }, (_, i) => ({
      ip: `10.0.${i >> 8}.${i & 255}`,
      port: 8080,
      healthy: true,
      enabled: true,
      weight: 1,
      clusterName: 'DEFAULT',
      serviceName: 'DEFAULT_GROUP@@svc',
      metadata: {},
    }));
    pusher = new UdpPushService({
      subscribers: {
        subscribersOf: () => [
          { namespaceId: 'public', serviceName: 'DEFAULT_GROUP@@svc', clusters: 'DEFAULT', address: '127.0.0.1', port: udpPort, agent: 'Nacos-Java-Client:v1.0.0' },
        ],
      },
      render: (req) =>
        JSON.stringify({ hosts, name: req.serviceName, clusters: req.clusters, cacheMillis: 10000, lastRefTime: Date.now() }),
      bindAddress: '127.0.0.1',
      delayMs: 10,
      retryMs: 2000,
    });
    await pusher.start();
    pusher.serviceChanged('public', 'DEFAULT_GROUP@@svc');
    const until = Date.now() + 3000;
    while (pusher.stats().acked < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    return { received, errors };
  }

  it('delivers a small packet the client parses, keys as subscribed, and acks', async () => {
    const { received, errors } = await run(2);
    expect(errors).toEqual([]);
    expect(received).toHaveLength(1);
    expect(received[0]!.getKey()).toBe('DEFAULT_GROUP@@svc@@DEFAULT');
    expect(received[0]!.isValid).toBe(true);
    expect(pusher!.pushState()).toEqual({ succeed: 1, total: 1, ratio: 1, reset: false });
    expect(pusher!.stats()).toMatchObject({ acked: 1, pending: 0, resends: 0 });
  });

  it('delivers a gzipped packet of 300 hosts', async () => {
    const { received, errors } = await run(300);
    expect(errors).toEqual([]);
    expect(received[0]!.hosts).toHaveLength(300);
    expect(pusher!.stats()).toMatchObject({ acked: 1, pending: 0 });
  });
});
