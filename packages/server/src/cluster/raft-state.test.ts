import type { RaftStatus } from '@tacos/raft';
import type { HandlerRequest, HandlerResult } from '../handler';
import { clusterRoutes } from './cluster-routes';
import { MemberHealth } from './member-health';
import { clusterNodesBody, raftMetaDataOf, raftStateBody, raftStateRole } from './raft-state';

const status = (over: Partial<RaftStatus> = {}): RaftStatus => ({
  id: '127.0.0.1:18848',
  role: 'LEADER',
  term: 3,
  leaderId: '127.0.0.1:18848',
  commitIndex: 12,
  appliedIndex: 11,
  members: ['127.0.0.1:18848', '127.0.0.1:18858', '127.0.0.1:18868'],
  voters: ['127.0.0.1:18848', '127.0.0.1:18858', '127.0.0.1:18868'],
  learners: [],
  snapshotIndex: 0,
  ...over,
});

function request(path: string, params: Record<string, string> = {}): HandlerRequest {
  return { method: 'GET', path, param: (n) => params[n], header: () => undefined };
}

describe('raft state and cluster bodies', () => {
  it('builds /raft/state from RaftNode.status()', () => {
    expect(raftStateBody(status())).toEqual({ leader: '127.0.0.1:18848', term: 3, role: 'LEADER', commitIndex: 12, appliedIndex: 11, members: ['127.0.0.1:18848', '127.0.0.1:18858', '127.0.0.1:18868'] });
    expect(raftStateBody(status({ role: 'PRE_CANDIDATE', leaderId: '' }))).toMatchObject({ leader: null, role: 'CANDIDATE' });
    expect([raftStateRole('FOLLOWER'), raftStateRole('CANDIDATE'), raftStateRole('PRE_CANDIDATE')]).toEqual(['FOLLOWER', 'CANDIDATE', 'CANDIDATE']);
  });

  it('builds Nacos raftMetaData', () => {
    expect(raftMetaDataOf(status())).toEqual({ metaDataMap: { naming_persistent_service: { leader: '127.0.0.1:18848', raftGroupMember: ['127.0.0.1:18848', '127.0.0.1:18858', '127.0.0.1:18868'], term: 3 } } });
    expect(raftMetaDataOf(status({ leaderId: '' })).metaDataMap.naming_persistent_service).not.toHaveProperty('leader');
  });

  describe('clusterRoutes', () => {
    const health = new MemberHealth({
      self: '127.0.0.1:18858',
      members: ['127.0.0.1:18848', '127.0.0.1:18858', '10.0.0.1:8848'],
      probe: () => Promise.reject(new Error('not started')),
      version: '0.1.0',
      selfRaftMetaData: () => raftMetaDataOf(status()),
    });
    const routes = clusterRoutes({ membership: health, raftStatus: () => status({ role: 'FOLLOWER', leaderId: '' }), distroOwnerOf: (name) => (name === 'DEFAULT_GROUP@@demo' ? '127.0.0.1:18848' : undefined) });
    const call = async (path: string, params?: Record<string, string>): Promise<HandlerResult> => {
      const route = routes.find((r) => r.path === path);
      if (!route) throw new Error(`no route ${path}`);
      return route.handler(request(path, params));
    };
    const body = async (path: string, params?: Record<string, string>) => JSON.parse((await call(path, params)).body);

    it('mounts every endpoint', () => {
      expect(routes.map((r) => r.path).sort()).toEqual([
        '/nacos/v1/core/cluster/health',
        '/nacos/v1/core/cluster/nodes',
        '/nacos/v1/core/cluster/self',
        '/nacos/v1/core/cluster/simple/nodes',
        '/nacos/v1/ns/operator/distro/server',
        '/nacos/v1/ns/ops/distro/server',
        '/nacos/v1/ns/raft/state',
      ]);
    });

    it('answers RestResult bodies with message null', async () => {
      const self = await call('/nacos/v1/core/cluster/self');
      expect(self.contentType).toBe('application/json; charset=utf-8');
      expect(self.body).toContain('"message":null');
      expect(JSON.parse(self.body)).toMatchObject({ code: 200, message: null, data: { ip: '127.0.0.1', port: 18858, state: 'UP', address: '127.0.0.1:18858', failAccessCnt: 0, extendInfo: { version: '0.1.0', raftMetaData: { metaDataMap: {} } } } });
      expect(await body('/nacos/v1/core/cluster/health')).toEqual({ code: 200, message: null, data: 'UP' });
      expect((await body('/nacos/v1/core/cluster/nodes')).data.map((m: { address: string }) => m.address)).toEqual(['10.0.0.1:8848', '127.0.0.1:18848', '127.0.0.1:18858']);
      expect((await body('/nacos/v1/core/cluster/nodes', { keyword: '127.' })).data.map((m: { address: string }) => m.address)).toEqual(['127.0.0.1:18848', '127.0.0.1:18858']);
      expect(await body('/nacos/v1/core/cluster/simple/nodes')).toEqual({ code: 200, message: null, data: ['10.0.0.1:8848', '127.0.0.1:18848', '127.0.0.1:18858'] });
    });

    it('answers /raft/state with leader null when unknown, and /operator/distro/server with the grouped name owner', async () => {
      expect(await body('/nacos/v1/ns/raft/state')).toMatchObject({ leader: null, role: 'FOLLOWER', term: 3 });
      expect(await body('/nacos/v1/ns/operator/distro/server', { serviceName: 'demo' })).toEqual({ responsibleServer: '127.0.0.1:18848' });
      expect(await body('/nacos/v1/ns/ops/distro/server', { serviceName: 'other' })).toEqual({ responsibleServer: null });
      await expect(call('/nacos/v1/ns/operator/distro/server')).rejects.toMatchObject({ message: expect.stringContaining('serviceName') });
    });

    it('sorts nodes by address', () => {
      const m = health.nacosMembers().reverse();
      expect(clusterNodesBody(m).data.map((x) => x.address)).toEqual(['10.0.0.1:8848', '127.0.0.1:18848', '127.0.0.1:18858']);
    });
  });
});
