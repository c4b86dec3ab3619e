import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTranscript } from './testing/interaction';

/**
 * Transcript tests (etcd-io/raft interaction_test.go style). Each testdata/*.txt file lists
 * commands (`> ...`) followed by their expected output. Regenerate with
 * `REWRITE=1 npx jest src/interaction.test.ts`, then read the diff before committing.
 */
const dir = join(__dirname, '..', 'testdata');
const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));

describe('transcripts', () => {
  it('has transcripts', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files)('%s', (file) => {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const rendered = runTranscript(text);
    if (process.env.REWRITE === '1') writeFileSync(path, rendered);
    else expect(rendered).toBe(text);
  });
});
