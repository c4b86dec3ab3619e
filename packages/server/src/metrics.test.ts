import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NamingRegistry } from '@tacos/core';
import { MemoryStorage, RaftNode } from '@tacos/raft';
import request from 'supertest';
import { createApp } from './app';
import { createFastPath } from './fast-path';
import { HOT_LATENCY_SAMPLING, PROMETHEUS_PATH, ServerMetrics } from './metrics';

describe('Prometheus metrics', () => {
  it('counts requests per route and reports instances, Raft state and readiness', async () => {
    const registry = new NamingRegistry();
    const raft = new RaftNode({ id: 'm', peers: ['m'], storage: new MemoryStorage(), transport: { send() {}, onMessage() {} }, stateMachine: registry.stateMachine, tickMs: 20 });
    await raft.start();
    registry.setProposer(raft, () => raft.status().role === 'LEADER');
    const metrics = new ServerMetrics({ registry, raftStatus: () => raft.status(), loopDelay: () => ({ p50: 1, p99: 2, max: 3, count: 4 }) });
    const app = createApp({ registry, metrics });
    try {
      expect((await request(app).post('/nacos/v1/ns/instance?serviceName=m&ip=10.0.0.1&port=80')).text).toBe('ok');
      expect((await request(app).post('/nacos/v1/ns/instance?serviceName=m&ip=10.0.0.2&port=80&ephemeral=false')).text).toBe('ok');
      await request(app).get('/no/such/path/123');
      const res = await request(app).get(PROMETHEUS_PATH);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const text = res.text;
      expect(text).toContain('tacos_http_requests_total{method="POST",route="/nacos/v1/ns/instance",status="200"} 2');
      expect(text).toContain('route="unmatched"');
      expect(text).not.toContain('/no/such/path');
      expect(text).toContain('tacos_instances{namespace="public",ephemeral="true"} 1');
      expect(text).toContain('tacos_instances{namespace="public",ephemeral="false"} 1');
      expect(text).toContain('tacos_services{namespace="public"} 1');
      expect(text).toContain('tacos_raft_role{role="LEADER"} 1');
      expect(text).toMatch(/tacos_raft_commit_index \d+/);
      expect(text).toContain('tacos_event_loop_delay_ms{quantile="0.99"} 2');
      expect(text).toContain('tacos_ready 1');
    } finally {
      await raft.stop();
    }
  });

  it('counts requests served by the fast path exactly, and samples their latency', async () => {
    const registry = new NamingRegistry();
    const raft = new RaftNode({ id: 'f', peers: ['f'], storage: new MemoryStorage(), transport: { send() {}, onMessage() {} }, stateMachine: registry.stateMachine, tickMs: 20 });
    await raft.start();
    registry.setProposer(raft, () => raft.status().role === 'LEADER');
    const metrics = new ServerMetrics({ registry });
    const fast = createFastPath({ registry, metrics });
    const app = createApp({ registry, metrics });
    const server = createServer((req, res) => {
      if (!fast(req, res)) app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/nacos/v1/ns`;
    try {
      expect(await (await fetch(`${base}/instance?serviceName=f&ip=127.0.0.1&port=80`, { method: 'POST' })).text()).toBe('ok');
      const beats = 2 * HOT_LATENCY_SAMPLING;
      for (let i = 0; i < beats; i++) await (await fetch(`${base}/instance/beat?serviceName=f&ip=127.0.0.1&port=80`, { method: 'PUT' })).text();
      expect((await fetch(`${base}/instance/list`)).status).toBe(400);
      const text = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${PROMETHEUS_PATH}`)).text();
      expect(text).toContain('tacos_http_requests_total{method="POST",route="/nacos/v1/ns/instance",status="200"} 1');
      expect(text).toContain(`tacos_http_requests_total{method="PUT",route="/nacos/v1/ns/instance/beat",status="200"} ${beats}`);
      expect(text).toContain('tacos_http_requests_total{method="GET",route="/nacos/v1/ns/instance/list",status="400"} 1');
      // 1 + 32 + 1 fast-path requests: 34 / 16 = 2 sampled latencies, all of them beats.
      expect(text).toContain('tacos_http_request_duration_seconds_count{method="PUT",route="/nacos/v1/ns/instance/beat"} 2');
      // A second scrape does not count them again.
      const again = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${PROMETHEUS_PATH}`)).text();
      expect(again).toContain(`tacos_http_requests_total{method="PUT",route="/nacos/v1/ns/instance/beat",status="200"} ${beats}`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await raft.stop();
    }
  });
});
