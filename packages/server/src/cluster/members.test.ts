import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSelf, normalizeMember, parseClusterConf, parseMemberList, resolveClusterMembers, watchClusterConf } from './members';
import { until } from './testing/http-helpers';

describe('member lists', () => {
  it('parses --members into a sorted, de-duplicated ip:port list', () => {
    expect(parseMemberList('127.0.0.1:18868, 127.0.0.1:18848,127.0.0.1:18858,,127.0.0.1:18848')).toEqual(['127.0.0.1:18848', '127.0.0.1:18858', '127.0.0.1:18868']);
    expect(parseMemberList(['10.0.0.2', 'Node-A.example.com:9000'])).toEqual(['10.0.0.2:8848', 'node-a.example.com:9000']);
  });

  it('parses cluster.conf the Nacos way: comments, commas, default port', () => {
    const text = ['# members', '10.0.0.3:8848   # third', '', '10.0.0.1,10.0.0.2:8850', '  [::1]:8848  ', '#10.9.9.9'].join('\n');
    expect(parseClusterConf(text)).toEqual(['10.0.0.1:8848', '10.0.0.2:8850', '10.0.0.3:8848', '[::1]:8848']);
  });

  it.each([
    ['10.0.0.1:0', /bad port/],
    ['10.0.0.1:70000', /bad port/],
    ['10.0.0.1:abc', /bad port/],
    ['10.0.0.256', /octet/],
    ['10.0.0', /bad host/],
    ['bad_host:1', /bad host/],
    ['fe80::1:8848', /more than one ":"/],
    ['[fe80::1', /unclosed/],
  ])('refuses %p with a message naming it', (entry, why) => {
    expect(() => normalizeMember(entry, '--members')).toThrow(expect.objectContaining({ code: 'BAD_MEMBER', message: expect.stringMatching(why) }));
    expect(() => normalizeMember(entry, '--members')).toThrow(entry);
  });

  it('names the cluster.conf line of a bad entry', () => {
    expect(() => parseClusterConf('10.0.0.1\n# ok\n10.0.0.2:x\n', '/data/cluster.conf')).toThrow('/data/cluster.conf line 3: member "10.0.0.2:x" has a bad port');
  });

  it('finds self by exact address, or by port among local addresses for a wildcard host', () => {
    const members = ['10.0.0.1:8848', '10.0.0.2:8848', '127.0.0.1:8858'];
    expect(findSelf(members, '10.0.0.2', 8848, [])).toBe('10.0.0.2:8848');
    expect(findSelf(members, '0.0.0.0', 8848, ['10.0.0.1', '192.168.1.5'])).toBe('10.0.0.1:8848');
    expect(findSelf(members, 'localhost', 8858, [])).toBe('127.0.0.1:8858');
    expect(() => findSelf(members, '10.0.0.9', 8848, [])).toThrow(/not in the member list \[10\.0\.0\.1:8848, 10\.0\.0\.2:8848, 127\.0\.0\.1:8858\]/);
    expect(() => findSelf(members, '0.0.0.0', 8848, ['10.0.0.1', '10.0.0.2'])).toThrow(/several members could be this node/);
  });

  describe('resolveClusterMembers', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'tacos-members-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('prefers the flag, then cluster.conf, else standalone', () => {
      writeFileSync(join(dir, 'cluster.conf'), '127.0.0.1:18848\n127.0.0.1:18858\n');
      expect(resolveClusterMembers({ members: '127.0.0.1:18848,127.0.0.1:18868', dataDir: dir, host: '127.0.0.1', port: 18848 })).toEqual({
        members: ['127.0.0.1:18848', '127.0.0.1:18868'],
        self: '127.0.0.1:18848',
        source: 'flag',
      });
      expect(resolveClusterMembers({ dataDir: dir, host: '127.0.0.1', port: 18858 })).toEqual({ members: ['127.0.0.1:18848', '127.0.0.1:18858'], self: '127.0.0.1:18858', source: 'cluster.conf' });
      rmSync(join(dir, 'cluster.conf'));
      expect(resolveClusterMembers({ dataDir: dir, host: '127.0.0.1', port: 18858 })).toBeUndefined();
      expect(resolveClusterMembers({ members: '127.0.0.1:18858', dataDir: dir, host: '127.0.0.1', port: 18858 })).toBeUndefined();
    });

    it('refuses a list without this node', () => {
      expect(() => resolveClusterMembers({ members: ['127.0.0.1:1', '127.0.0.1:2'], dataDir: dir, host: '127.0.0.1', port: 3, localAddresses: [] })).toThrow(/this node \(127\.0\.0\.1:3\) is not in the member list/);
    });
  });

  it('watches cluster.conf: reports changed lists, keeps the last good one on errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tacos-watch-'));
    const file = join(dir, 'cluster.conf');
    writeFileSync(file, '10.0.0.1\n10.0.0.2\n');
    const lists: string[][] = [];
    const errors: string[] = [];
    const stop = watchClusterConf(file, (l) => lists.push(l), { intervalMs: 20, onError: (e) => errors.push(e.message) });
    try {
      writeFileSync(file, '10.0.0.1\n10.0.0.2\n10.0.0.3 # new\n');
      await until(() => lists.length === 1, 'the change to be seen', 3000);
      expect(lists[0]).toEqual(['10.0.0.1:8848', '10.0.0.2:8848', '10.0.0.3:8848']);
      writeFileSync(file, '10.0.0.1\n10.0.0.2:x\n');
      await until(() => errors.length === 1, 'the bad line to be reported', 3000);
      expect(errors[0]).toContain('line 2');
      writeFileSync(file, '# reordered\n10.0.0.3, 10.0.0.2 10.0.0.1\n');
      await new Promise((r) => setTimeout(r, 100));
      // Same members in another order and format: not a change.
      expect(lists).toHaveLength(1);
      writeFileSync(file, '10.0.0.1\n');
      await until(() => lists.length === 2, 'the shrink to be seen', 3000);
      expect(lists[1]).toEqual(['10.0.0.1:8848']);
    } finally {
      stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
