import { RawNode } from '../raw-node';
import { MemoryStorage } from '../storage';
import { ENTRY_TYPES, type Entry, encodeConfState, type Message } from '../types';
import { mulberry32 } from './rng';

const TYPE_NAMES = ['CMD', 'CONF', 'NOOP'];

function renderEntry(e: Entry): string {
  const data = e.type === ENTRY_TYPES.NOOP ? '' : ` ${new TextDecoder().decode(e.data)}`;
  return `${e.term}/${e.index} ${TYPE_NAMES[e.type]}${data}`;
}

function renderMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type} term=${m.term}`];
  if (m.logTerm !== undefined || m.index !== undefined) parts.push(`log=${m.logTerm ?? '-'}/${m.index ?? '-'}`);
  if (m.commit !== undefined) parts.push(`commit=${m.commit}`);
  if (m.entries && m.entries.length > 0) parts.push(`entries=[${m.entries.map(renderEntry).join(', ')}]`);
  if (m.snapshot) parts.push(`snapshot=${m.snapshot.meta.term}/${m.snapshot.meta.index}`);
  if (m.reject) parts.push(`reject hint=${m.rejectHint ?? 0}/${m.hintTerm ?? 0}`);
  if (m.context) parts.push(`ctx=${m.context}`);
  return parts.join(' ');
}

/**
 * Runs transcript scripts in the style of etcd-io/raft's interaction tests: each `> command`
 * line is executed against a set of RawNodes and followed by what it produced (Readies,
 * messages, status). The rendered transcript is compared with the file; `REWRITE=1` rewrites it.
 *
 * Commands: `add-nodes N [prevote] [checkquorum]`, `campaign ID`, `propose ID TEXT`,
 * `tick ID [N]`, `process-ready [ID...]`, `deliver-msgs [drop=ID,ID]`, `stabilize [drop=ID,ID]`,
 * `read-index ID CTX`, `transfer-leader FROM TO`, `status`, `raft-log ID`.
 */
export class InteractionEnv {
  private readonly nodes = new Map<string, { raw: RawNode; storage: MemoryStorage }>();
  private outbox: Message[] = [];
  private readonly rnd = mulberry32(1);

  /** Executes one command line and returns its rendered output lines. */
  run(line: string): string[] {
    const [cmd, ...args] = line.trim().split(/\s+/);
    const drop = new Set(args.filter((a) => a.startsWith('drop=')).flatMap((a) => a.slice(5).split(',')));
    switch (cmd) {
      case 'add-nodes':
        return this.addNodes(Number(args[0]), args.includes('prevote'), args.includes('checkquorum'));
      case 'campaign':
        this.node(args[0]).campaign();
        return this.processReady([args[0]]);
      case 'propose':
        try {
          this.node(args[0]).propose(new TextEncoder().encode(args.slice(1).join(' ')));
        } catch (err) {
          return [`error: ${(err as Error).message}`];
        }
        return this.processReady([args[0]]);
      case 'tick': {
        const n = Number(args[1] ?? 1);
        for (let i = 0; i < n; i++) this.node(args[0]).tick();
        return this.processReady([args[0]]);
      }
      case 'process-ready':
        return this.processReady(args.length > 0 ? args : [...this.nodes.keys()]);
      case 'deliver-msgs':
        return this.deliver(drop);
      case 'stabilize': {
        const out: string[] = [];
        for (let round = 0; round < 50; round++) {
          const ready = this.processReady([...this.nodes.keys()]);
          if (ready.length === 0 && this.outbox.length === 0) break;
          out.push(...ready, ...this.deliver(drop));
        }
        return out;
      }
      case 'read-index':
        this.node(args[0]).readIndex(args[1]);
        return this.processReady([args[0]]);
      case 'transfer-leader':
        this.node(args[0]).transferLeader(args[1]);
        return this.processReady([args[0]]);
      case 'status':
        return [...this.nodes.entries()].map(([id, { raw }]) => {
          const s = raw.status();
          return `${id}: ${s.role} term=${s.term} vote=${s.vote || '-'} lead=${s.leaderId || '-'} commit=${s.commitIndex} applied=${s.appliedIndex} last=${s.lastIndex} voters=${s.voters.join(',')}`;
        });
      case 'raft-log': {
        const { storage } = this.nodes.get(args[0])!;
        return storage.entries(storage.firstIndex(), storage.lastIndex() + 1).map(renderEntry);
      }
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  }

  private node(id: string): RawNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n.raw;
  }

  private addNodes(count: number, preVote: boolean, checkQuorum: boolean): string[] {
    const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
    for (const id of ids) {
      const storage = new MemoryStorage();
      storage.saveSync({
        entries: [{ term: 1, index: 1, type: ENTRY_TYPES.CONFIG, data: encodeConfState({ voters: ids, learners: [] }) }],
        hardState: { term: 1, vote: '', commit: 1 },
      });
      const raw = new RawNode({ id, storage, electionTicks: 10, heartbeatTicks: 1, random: this.rnd, preVote, checkQuorum });
      this.nodes.set(id, { raw, storage });
    }
    return [`added ${ids.join(', ')}${preVote ? ' prevote' : ''}${checkQuorum ? ' checkquorum' : ''}`];
  }

  private processReady(ids: string[]): string[] {
    const out: string[] = [];
    for (const id of ids) {
      const { raw, storage } = this.nodes.get(id)!;
      if (!raw.hasReady()) continue;
      const rd = raw.ready();
      storage.saveSync({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
      out.push(`${id} Ready:`);
      if (rd.softState) out.push(`  State: ${rd.softState.role} lead=${rd.softState.leaderId || '-'}`);
      if (rd.hardState) out.push(`  HardState: term=${rd.hardState.term} vote=${rd.hardState.vote || '-'} commit=${rd.hardState.commit}`);
      if (rd.entries.length > 0) out.push(`  Entries: ${rd.entries.map(renderEntry).join(', ')}`);
      if (rd.committedEntries.length > 0) out.push(`  Committed: ${rd.committedEntries.map(renderEntry).join(', ')}`);
      for (const rs of rd.readStates) out.push(`  ReadState: index=${rs.index} ctx=${rs.context}`);
      for (const m of rd.messages) out.push(`  ${renderMessage(m)}`);
      this.outbox.push(...rd.messages);
      raw.advance(rd);
    }
    return out;
  }

  private deliver(drop: Set<string>): string[] {
    const batch = this.outbox;
    this.outbox = [];
    const out: string[] = [];
    for (const m of batch) {
      if (drop.has(m.to) || drop.has(m.from)) {
        out.push(`dropped: ${renderMessage(m)}`);
        continue;
      }
      this.nodes.get(m.to)?.raw.step(m);
    }
    return out;
  }
}

/** Renders a transcript: each `> command` followed by its output, comments and blank lines kept. */
export function runTranscript(text: string): string {
  const env = new InteractionEnv();
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('> ')) {
      out.push(line);
      out.push(...env.run(line.slice(2)));
      out.push('');
    } else if (line.startsWith('#')) {
      out.push(line);
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
