import { Output, type OutputOptions } from './output';

function capture(options: Partial<OutputOptions> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const output = new Output({
    format: 'table',
    quiet: false,
    color: false,
    stdout: { write: (t: string) => out.push(t), isTTY: false },
    stderr: { write: (t: string) => err.push(t), isTTY: false },
    ...options,
  });
  return { output, stdout: () => out.join(''), stderr: () => err.join('') };
}

const columns = [{ header: 'IP', value: (r: { ip: string }) => r.ip }];

describe('Output', () => {
  it('prints tables in table mode and the raw value as JSON or YAML otherwise', () => {
    const table = capture();
    table.output.data({ hosts: [{ ip: '1.1.1.1' }] }, columns, [{ ip: '1.1.1.1' }]);
    expect(table.stdout()).toBe('IP\n1.1.1.1\n');
    const json = capture({ format: 'json' });
    json.output.data({ hosts: [{ ip: '1.1.1.1' }] }, columns, [{ ip: '1.1.1.1' }]);
    expect(JSON.parse(json.stdout())).toEqual({ hosts: [{ ip: '1.1.1.1' }] });
    const yaml = capture({ format: 'yaml' });
    yaml.output.data({ a: 1 }, columns, []);
    expect(yaml.stdout()).toBe('a: 1\n');
  });

  it('sizes tables to the terminal only when stdout is one', () => {
    const lines: string[] = [];
    const tty = capture({ stdout: { write: (t: string) => lines.push(t), isTTY: true, columns: 12 } });
    const wide = [
      { header: 'NAME', value: (r: { a: string; b: string }) => r.a },
      { header: 'VALUE', value: (r: { a: string; b: string }) => r.b },
    ];
    tty.output.data({}, wide, [{ a: 'a-long-service-name', b: 'another-long-value' }]);
    for (const line of lines.join('').trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(12);
    expect(lines.join('')).toContain('…');
    const pipe = capture();
    pipe.output.data({}, wide, [{ a: 'a-long-service-name', b: 'another-long-value' }]);
    expect(pipe.stdout()).toContain('a-long-service-name  another-long-value');
  });

  it('silences messages and progress with --quiet but never results in JSON mode or errors', () => {
    const quiet = capture({ quiet: true });
    quiet.output.result({ ok: true }, 'done');
    quiet.output.info('note');
    quiet.output.progress('x', 1, 2);
    quiet.output.error('bad', 'try this');
    expect(quiet.stdout()).toBe('');
    expect(quiet.stderr()).toBe('error: bad\nhint: try this\n');
    const json = capture({ quiet: true, format: 'json' });
    json.output.result({ ok: true }, 'done');
    expect(JSON.parse(json.stdout())).toEqual({ ok: true });
  });

  it('writes streams as one JSON object per line', () => {
    const json = capture({ format: 'json' });
    json.output.line({ a: 1 });
    json.output.line({ a: 2 });
    expect(json.stdout()).toBe('{"a":1}\n{"a":2}\n');
  });

  it('adds ANSI codes only when colour is on', () => {
    expect(capture().output.paint('red', 'x')).toBe('x');
    expect(capture({ color: true }).output.paint('red', 'x')).toBe('\u001b[31mx\u001b[39m');
  });
});
