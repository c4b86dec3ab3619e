import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDir, credentialsPath, TokenStore } from './token-store';

describe('TokenStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tacos-cli-token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses $XDG_CONFIG_HOME/tacos, else ~/.config/tacos', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' })).toBe('/x/cfg/tacos');
    expect(configDir({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.config/tacos');
    expect(credentialsPath({ HOME: '/home/u' })).toBe('/home/u/.config/tacos/credentials.json');
  });

  it('writes the file with mode 0600 in a 0700 directory, even over a looser file', () => {
    const file = join(dir, 'nested', 'credentials.json');
    const store = new TokenStore(file);
    store.save(['http://a:1'], { accessToken: 't', username: 'u', expiresAt: Date.now() + 10_000 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    writeFileSync(file, readFileSync(file), { mode: 0o644 });
    store.save(['http://b:2'], { accessToken: 't2', username: 'u', expiresAt: Date.now() + 10_000 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('finds the token of the first server that has an unexpired one', () => {
    const store = new TokenStore(join(dir, 'c.json'));
    store.save(['http://a:1'], { accessToken: 'old', username: 'u', expiresAt: 1000 });
    store.save(['http://b:2', 'http://c:3'], { accessToken: 'new', username: 'u', expiresAt: 5000 });
    expect(store.find(['http://a:1', 'http://c:3'], 2000)?.accessToken).toBe('new');
    expect(store.find(['http://a:1'], 2000)).toBeUndefined();
    expect(store.remove(['http://b:2', 'http://x:9'])).toBe(1);
    expect(store.find(['http://b:2'], 2000)).toBeUndefined();
  });

  it('reads a missing or corrupt file as empty', () => {
    const file = join(dir, 'c.json');
    expect(new TokenStore(file).find(['http://a:1'])).toBeUndefined();
    writeFileSync(file, 'not json');
    expect(new TokenStore(file).find(['http://a:1'])).toBeUndefined();
  });
});
