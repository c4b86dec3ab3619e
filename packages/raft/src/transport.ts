import { decodeMessages, encodeMessages } from './codec';
import type { Message } from './types';

/**
 * The driver's network port. Implementations deliver best effort: messages may be lost,
 * duplicated or reordered (Raft tolerates all three), and `send` must never throw or block.
 * The server provides an HTTP implementation that POSTs `encodeMessages(batch)` to the member
 * named by `message.to` and feeds `decodeMessages(body)` to the handler.
 */
export interface Transport {
  /** Queues messages for delivery to `message.to`. */
  send(messages: readonly Message[]): void;
  /** Registers the handler for inbound messages (the driver registers on start, `undefined` on stop). */
  onMessage(handler: ((message: Message) => void) | undefined): void;
}

/**
 * An in-process network for tests: transports for member ids, asynchronous delivery (next event
 * loop turn) through the wire codec, and fault switches (isolate, cut links).
 */
export class InMemoryNetwork {
  private readonly handlers = new Map<string, (m: Message) => void>();
  private readonly cut = new Set<string>();
  private readonly isolated = new Set<string>();
  /** Messages delivered so far (for tests). */
  delivered = 0;
  /** Optional fault injection: return true to drop a message. */
  dropIf: ((message: Message) => boolean) | undefined;

  /** The transport of member `id`. */
  transport(id: string): Transport {
    return {
      send: (messages) => this.send(messages),
      onMessage: (handler) => {
        if (handler) this.handlers.set(id, handler);
        else this.handlers.delete(id);
      },
    };
  }

  /** Drops all traffic to and from `id` until `heal()`. */
  isolate(id: string): void {
    this.isolated.add(id);
  }

  /** Drops traffic from `a` to `b` (one direction) until `heal()`. */
  cutLink(a: string, b: string): void {
    this.cut.add(`${a}\u0000${b}`);
  }

  /** Removes every fault. */
  heal(): void {
    this.cut.clear();
    this.isolated.clear();
  }

  private send(messages: readonly Message[]): void {
    const byTo = new Map<string, Message[]>();
    for (const m of messages) {
      if (this.isolated.has(m.from) || this.isolated.has(m.to) || this.cut.has(`${m.from}\u0000${m.to}`)) continue;
      if (this.dropIf?.(m)) continue;
      let list = byTo.get(m.to);
      if (!list) {
        list = [];
        byTo.set(m.to, list);
      }
      list.push(m);
    }
    for (const [to, batch] of byTo) {
      // Through the codec, so tests exercise the wire format and nobody shares objects.
      const bytes = encodeMessages(batch);
      setImmediate(() => {
        const handler = this.handlers.get(to);
        if (!handler) return;
        for (const m of decodeMessages(bytes)) {
          this.delivered++;
          handler(m);
        }
      });
    }
  }
}
