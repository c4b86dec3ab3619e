import type { Member, RaftState } from '@tacos/client';
import { render, screen, within } from '@testing-library/react';
import * as api from '../api/console-api';
import { ApiError } from '../api/http';
import { ClusterPage } from './ClusterPage';

jest.mock('../api/console-api');
const mocked = api as jest.Mocked<typeof api>;

/** A member record as the server's `/v1/core/cluster/nodes` (unwrapped from its RestResult) gives it. */
function member(address: string, state: string, leader: string): Member {
  const [ip, port] = address.split(':');
  return {
    ip: ip!,
    port: Number(port),
    state,
    address,
    extendInfo: {
      lastRefreshTime: 1_700_000_000_000,
      raftPort: String(Number(port) - 1000),
      site: 'unknown',
      adWeight: '0',
      weight: '1',
      version: '0.1.0',
      raftMetaData: { metaDataMap: { naming_persistent_service: { leader, raftGroupMember: [], term: 4 } } },
    },
    failAccessCnt: 0,
  };
}

const missing = (path: string, status: number) => new ApiError({ status, message: `no such api:GET:/nacos${path}`, path, method: 'GET' });

beforeEach(() => jest.resetAllMocks());

test('a cluster member: Raft role, term and leader as /raft/state gives them, members with state, you are here', async () => {
  const leader = '127.0.0.1:9001';
  const self = '127.0.0.1:9002';
  const raft: RaftState = { leader, term: 4, role: 'FOLLOWER', commitIndex: 12, appliedIndex: 11, members: [leader, self, '127.0.0.1:9003'] };
  mocked.getServerState.mockResolvedValue({ version: '0.1.0', standalone_mode: 'cluster', function_mode: 'naming', auth_enabled: false });
  mocked.getRaftState.mockResolvedValue(raft);
  mocked.listClusterNodes.mockResolvedValue([member(leader, 'UP', leader), member(self, 'UP', leader), member('127.0.0.1:9003', 'SUSPICIOUS', leader)]);
  mocked.getClusterSelf.mockResolvedValue(member(self, 'UP', leader));
  mocked.getReadiness.mockResolvedValue(undefined);
  render(<ClusterPage />);
  expect(await screen.findByText('cluster of 3')).toBeTruthy();
  expect(screen.getByTestId('raft-role').textContent).toBe('FOLLOWER');
  expect(screen.getByTestId('raft-term').textContent).toBe('4');
  expect(screen.getByTestId('raft-leader').textContent).toBe(leader);
  expect(screen.getByTestId('self-address').textContent).toBe(self);
  const here = within(screen.getByTestId(`member-${self}`));
  expect(here.getByText('you are here')).toBeTruthy();
  expect(here.getByText('ready')).toBeTruthy();
  expect(within(screen.getByTestId(`member-${leader}`)).getByText('leader')).toBeTruthy();
  expect(within(screen.getByTestId(`member-${leader}`)).getByText('not published')).toBeTruthy();
  expect(within(screen.getByTestId('member-127.0.0.1:9003')).getByText('SUSPICIOUS')).toBeTruthy();
});

test('a standalone server has no Raft or member endpoints, and the page says what that means', async () => {
  mocked.getServerState.mockResolvedValue({ version: '0.1.0', standalone_mode: 'standalone', function_mode: 'naming', auth_enabled: false });
  mocked.getRaftState.mockRejectedValue(missing('/v1/ns/raft/state', 501));
  mocked.listClusterNodes.mockRejectedValue(missing('/v1/core/cluster/nodes', 404));
  mocked.getClusterSelf.mockRejectedValue(missing('/v1/core/cluster/self', 404));
  mocked.getReadiness.mockResolvedValue(undefined);
  render(<ClusterPage />);
  expect(await screen.findByText(/A Raft group \(role, term, leader\) exists only in cluster mode/)).toBeTruthy();
  expect(screen.getByText(/Start members with --members/)).toBeTruthy();
  expect(screen.queryByRole('alert')).toBeNull();
});
