import { CliError } from './cli-error';
import { Context, DEFAULT_SERVER } from './context';

const io = (env: NodeJS.ProcessEnv = {}, isTTY = false) => ({
  stdout: { write: () => true, isTTY },
  stderr: { write: () => true, isTTY },
  env,
});

describe('Context', () => {
  it('takes servers from --server, then TACOS_SERVER, then the default', () => {
    expect(new Context({ server: 'a:1,b:2' }, io({ TACOS_SERVER: 'c:3' })).servers()).toEqual(['http://a:1', 'http://b:2']);
    expect(new Context({}, io({ TACOS_SERVER: 'c:3' })).servers()).toEqual(['http://c:3']);
    expect(new Context({}, io()).servers()).toEqual([`http://${DEFAULT_SERVER}`]);
  });

  it('takes namespace and group from flags, then env', () => {
    const ctx = new Context({ group: 'G' }, io({ TACOS_NAMESPACE: 'dev', TACOS_GROUP: 'X' }));
    expect(ctx.namespaceId).toBe('dev');
    expect(ctx.groupName).toBe('G');
  });

  it('turns colour on only for a TTY (or FORCE_COLOR=1), and off with --no-color or NO_COLOR', () => {
    expect(new Context({}, io({}, false)).out.color).toBe(false);
    expect(new Context({}, io({}, true)).out.color).toBe(true);
    expect(new Context({}, io({ FORCE_COLOR: '1' })).out.color).toBe(true);
    expect(new Context({ color: false }, io({}, true)).out.color).toBe(false);
    expect(new Context({}, io({ NO_COLOR: '' }, true)).out.color).toBe(false);
  });

  it('rejects unknown output formats and bad addresses as usage errors', () => {
    expect(() => new Context({ output: 'xml' }, io())).toThrow(CliError);
    expect(() => new Context({ server: 'ftp://x' }, io()).servers()).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
