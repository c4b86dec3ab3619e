// Ephemeral instances live by beats: without them they turn unhealthy, then disappear, on the timeouts
// from their `preserved.*` metadata (Nacos defaults 15 s / 30 s), measured by a real server process.
import { waitFor } from '@tacos/testkit';
import { call, uniqueName, useTacosServer } from './support';

const NS = '/nacos/v1/ns';
const tacos = useTacosServer();

type Host = { ip: string; port: number; healthy: boolean };

async function hosts(serviceName: string): Promise<Host[]> {
  const res = await call(tacos().url, 'GET', `${NS}/instance/list`, { serviceName });
  return (res.json as { hosts: Host[] }).hosts;
}

test('an instance that stops beating turns unhealthy, then is removed; beats keep the other one', async () => {
  const serviceName = uniqueName('expiring');
  const shortLived = JSON.stringify({
    'preserved.heart.beat.timeout': '1500',
    'preserved.ip.delete.timeout': '3000',
  });
  const started = Date.now();
  for (const [ip, metadata] of [
    ['127.0.7.1', '{}'],
    ['127.0.7.2', shortLived],
  ]) {
    const res = await call(tacos().url, 'POST', `${NS}/instance`, { serviceName, ip, port: 80, metadata });
    expect([res.status, res.text]).toEqual([200, 'ok']);
  }

  const unhealthyAt = await waitFor(
    async () => ((await hosts(serviceName)).find((h) => h.ip === '127.0.7.2')?.healthy === false ? Date.now() : false),
    { timeoutMs: 10_000, intervalMs: 100, what: '127.0.7.2 to turn unhealthy' },
  );
  const goneAt = await waitFor(
    async () => ((await hosts(serviceName)).some((h) => h.ip === '127.0.7.2') ? false : Date.now()),
    { timeoutMs: 10_000, intervalMs: 100, what: '127.0.7.2 to be removed' },
  );
  // Not before its timeouts, and not much after (one check period plus polling slack).
  expect(unhealthyAt - started).toBeGreaterThanOrEqual(1500);
  expect(unhealthyAt - started).toBeLessThan(1500 + 2500);
  expect(goneAt - started).toBeGreaterThanOrEqual(3000);
  expect(goneAt - started).toBeLessThan(3000 + 2500);
  expect(await hosts(serviceName)).toMatchObject([{ ip: '127.0.7.1', healthy: true }]);
});

test('a beat brings an unhealthy instance back to healthy', async () => {
  const serviceName = uniqueName('revived');
  const metadata = JSON.stringify({ 'preserved.heart.beat.timeout': '1000', 'preserved.ip.delete.timeout': '20000' });
  await call(tacos().url, 'POST', `${NS}/instance`, { serviceName, ip: '127.0.8.1', port: 80 });
  await call(tacos().url, 'POST', `${NS}/instance`, { serviceName, ip: '127.0.8.2', port: 80, metadata });
  await waitFor(async () => (await hosts(serviceName)).find((h) => h.ip === '127.0.8.2')?.healthy === false, {
    timeoutMs: 10_000,
    what: '127.0.8.2 to turn unhealthy',
  });
  const beat = await call(tacos().url, 'PUT', `${NS}/instance/beat`, {
    serviceName: `DEFAULT_GROUP@@${serviceName}`,
    beat: JSON.stringify({ ip: '127.0.8.2', port: 80, serviceName: `DEFAULT_GROUP@@${serviceName}`, cluster: 'DEFAULT' }),
  });
  expect(beat.status).toBe(200);
  expect(beat.json).toMatchObject({ code: 10200 });
  expect((await hosts(serviceName)).find((h) => h.ip === '127.0.8.2')?.healthy).toBe(true);
});
