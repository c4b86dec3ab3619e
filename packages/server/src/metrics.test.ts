import { NamingRegistry } from '@tacos/core';
import { MemoryStorage, RaftNode } from '@tacos/raft';
import request from 'supertest';
import { createApp } from './app';
import { PROMETHEUS_PATH, ServerMetrics } from './metrics';

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
});
