/**
 * Member states as Nacos' `NodeState` uses them for distro: UP and SUSPICIOUS members are in the
 * healthy list (a SUSPICIOUS member has missed a report or two and still owns its keys); DOWN
 * members are out of it, so their keys move to the others.
 */
export const MEMBER_STATES = {
  UP: 'UP',
  SUSPICIOUS: 'SUSPICIOUS',
  DOWN: 'DOWN',
} as const;

/** One of the {@link MEMBER_STATES} values. */
export type MemberState = (typeof MEMBER_STATES)[keyof typeof MEMBER_STATES];

/** A cluster member as this node currently sees it. `address` is the member id (`ip:port` in Tacos). */
export interface Member {
  readonly address: string;
  readonly state: MemberState;
}

/**
 * The host's failure detector, as seen by distro (Nacos' `ServerMemberManager`).
 *
 * Contract:
 * - `members()` returns every configured member, this node included, with its current state. The
 *   array may be shared; distro never mutates it.
 * - `onChange(listener)` calls `listener` synchronously or later, any number of times, whenever
 *   any member's state or the set of members changes; distro re-reads `members()` then. It returns
 *   a function that unsubscribes. Listeners must not be called after unsubscribing.
 * - Views may disagree between members for a while; distro tolerates that (no deletes while the
 *   view is changing, versions decide conflicts).
 */
export interface MembershipView {
  members(): readonly Member[];
  onChange(listener: () => void): () => void;
}

/** True when a member in `state` takes part in owner mapping (UP or SUSPICIOUS, as Nacos' distro list). */
export function isHealthyState(state: MemberState): boolean {
  return state === MEMBER_STATES.UP || state === MEMBER_STATES.SUSPICIOUS;
}

/**
 * The distro healthy list: addresses of UP and SUSPICIOUS members, without duplicates, sorted by
 * UTF-16 code units (JavaScript's default string order, which is Java's `String.compareTo`), so
 * every member that sees the same states computes the same list. Returns a new array.
 */
export function healthyMemberList(members: readonly Member[]): string[] {
  const set = new Set<string>();
  for (const m of members) if (isHealthyState(m.state)) set.add(m.address);
  return [...set].sort();
}

/**
 * A MembershipView whose members the owner sets directly: for standalone nodes, unit tests and
 * the simulator. `set` notifies listeners synchronously, in subscription order.
 */
export class StaticMembership implements MembershipView {
  private current: Member[];
  private readonly listeners = new Set<() => void>();

  constructor(members: readonly Member[]) {
    this.current = [...members];
  }

  members(): readonly Member[] {
    return this.current;
  }

  onChange(listener: () => void): () => void {
    const wrapped = () => listener();
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  /** Replaces the member list and notifies listeners. */
  set(members: readonly Member[]): void {
    this.current = [...members];
    for (const l of [...this.listeners]) l();
  }

  /** Changes one member's state (adding it when unknown) and notifies listeners. */
  setState(address: string, state: MemberState): void {
    const next = this.current.filter((m) => m.address !== address);
    next.push({ address, state });
    next.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    this.set(next);
  }
}
