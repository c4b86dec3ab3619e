import { spawnSync } from 'node:child_process';
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32, crc32Combine, SplicedGzip } from './spliced-gzip';

/** zlib's own CRC of the whole text, read from the trailer of a gzip it wrote. */
function zlibCrc(text: string): number {
  const gz = gzipSync(Buffer.from(text, 'utf8'));
  return gz.readUInt32LE(gz.length - 8);
}

describe('crc32', () => {
  it('matches zlib on empty, short, long and non-ASCII text', () => {
    for (const text of ['', 'a', '123456789', 'x'.repeat(100_000), 'héllo wörld ✓']) {
      expect(crc32(Buffer.from(text, 'utf8'))).toBe(zlibCrc(text));
    }
    // The check value every CRC-32 implementation publishes.
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('combines the CRCs of two parts into the CRC of their concatenation', () => {
    const cases: Array<[string, string]> = [
      ['', ''],
      ['abc', ''],
      ['', 'abc'],
      ['{"hosts":[', '1732000000000'],
      ['a'.repeat(40_000), 'b'.repeat(70_000)],
    ];
    for (const [a, b] of cases) {
      const combined = crc32Combine(crc32(Buffer.from(a)), crc32(Buffer.from(b)), Buffer.byteLength(b));
      expect(combined).toBe(zlibCrc(a + b));
    }
  });
});

describe('SplicedGzip', () => {
  const prefix = `{"hosts":[${Array.from({ length: 100 }, (_, i) => `{"ip":"127.0.0.${i}","port":8080,"weight":1.0,"healthy":true}`).join(',')}],"lastRefTime":`;
  const suffix = `,"checksum":"abc","clusters":"","valid":true,"name":"DEFAULT_GROUP@@sërvice"}`;

  it('decodes with node zlib to exactly prefix + middle + suffix, for every middle', () => {
    const gz = new SplicedGzip(prefix, suffix);
    for (const middle of ['', '1', '1732000000000', 'ü'.repeat(10), 'm'.repeat(65_535)]) {
      expect(gunzipSync(gz.with(middle)).toString('utf8')).toBe(prefix + middle + suffix);
    }
  });

  it('is much smaller than the body it encodes', () => {
    const gz = new SplicedGzip(prefix, suffix);
    const body = Buffer.byteLength(prefix + suffix);
    expect(gz.with('1732000000000').length).toBeLessThan(body / 4);
    expect(gz.compressedSize).toBeLessThan(body / 4);
  });

  it('handles empty parts', () => {
    expect(gunzipSync(new SplicedGzip('', '').with('x')).toString()).toBe('x');
    expect(gunzipSync(new SplicedGzip('', 'tail').with('')).toString()).toBe('tail');
  });

  it('refuses a middle that does not fit one stored block', () => {
    expect(() => new SplicedGzip('a', 'b').with('m'.repeat(65_536))).toThrow(RangeError);
  });

  it('is read by the gzip command line tool as a valid, single-member file', () => {
    const gzipTool = spawnSync('gzip', ['--version']);
    if (gzipTool.status !== 0) return; // no gzip binary on this machine: the zlib checks above still ran
    const file = new SplicedGzip(prefix, suffix).with('1732000000000');
    const tested = spawnSync('gzip', ['-t'], { input: file });
    expect(tested.status).toBe(0);
    const out = spawnSync('gzip', ['-dc'], { input: file });
    expect(out.stdout.toString('utf8')).toBe(`${prefix}1732000000000${suffix}`);
  });
});
