import { decodeMessages, encodeMessages, WIRE_VERSION } from './codec';
import { RaftError } from './errors';
import type { Message } from './types';

describe('wire codec v1', () => {
  it('round-trips messages with entries and snapshots', () => {
    const msgs: Message[] = [
      { type: 'App', from: 'a', to: 'b', term: 3, index: 4, logTerm: 2, commit: 4, entries: [{ term: 3, index: 5, type: 0, data: new Uint8Array([0, 255, 7]) }] },
      { type: 'Snap', from: 'a', to: 'c', term: 3, snapshot: { meta: { index: 9, term: 2, confState: { voters: ['a', 'b', 'c'], learners: [] } }, data: new Uint8Array([1, 2]) } },
      { type: 'AppResp', from: 'b', to: 'a', term: 3, index: 4, reject: true, rejectHint: 2, hintTerm: 1 },
    ];
    const bytes = encodeMessages(msgs);
    expect(JSON.parse(new TextDecoder().decode(bytes)).v).toBe(WIRE_VERSION);
    expect(decodeMessages(bytes)).toEqual(msgs);
  });

  it('refuses other versions and malformed input with BAD_MESSAGE', () => {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    for (const bad of [enc({ v: 2, m: [] }), enc({ v: 1, m: [{ type: 'Nope', from: 'a', to: 'b', term: 1 }] }), new Uint8Array([1, 2, 3])]) {
      expect(() => decodeMessages(bad)).toThrow(RaftError);
      try {
        decodeMessages(bad);
      } catch (err) {
        expect((err as RaftError).code).toBe('BAD_MESSAGE');
      }
    }
  });
});
