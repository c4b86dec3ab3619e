/**
 * The replicated users/roles/permissions state (issue 7) rides in the registry's Raft state machine,
 * but its rules live in the server package (`@tacos/server` auth), which depends on core. Core
 * therefore keeps that state opaque and applies `auth` entries through a handler the host installs
 * on the state machine before Raft replays anything. Every member installs the same handler, so
 * applying stays deterministic.
 */

/** The op of a Raft entry carrying an auth command: `{"op":"auth","command":{...}}`. */
export const AUTH_COMMAND_OP = 'auth';

/** How the state machine applies auth commands to its opaque auth state. */
export interface AuthStateHandler {
  /** The state of a log that never saw an auth command (also for snapshots taken before auth existed). */
  empty(): unknown;
  /**
   * Applies one command (as decoded from the log) to `state`. Must be pure and never throw; the new
   * state is kept, and `result` goes back to the proposer.
   */
  apply(state: unknown, command: unknown): { state: unknown; result: unknown };
}

/** What the state machine answers for an auth entry when no handler is installed (nothing changes). */
export const NO_AUTH_HANDLER_RESULT = Object.freeze({ ok: false, code: 'NO_HANDLER', message: 'auth commands are not handled by this member' });

/** Encodes an auth command as a Raft entry of the registry state machine. */
export function encodeAuthEntry(command: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ op: AUTH_COMMAND_OP, command }));
}
