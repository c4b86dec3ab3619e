import { NACOS_ERROR_CODES, NacosError } from '@tacos/api-pojo';
import { type CommandResult, encodeCommand, type RegistryCommand } from './commands';

/**
 * Where persistent commands go: structurally `RaftNode.propose` from @tacos/raft. Must resolve with the
 * state machine's return value only after the entry is committed and applied locally.
 */
export interface CommandProposer {
  propose(command: Uint8Array): Promise<unknown>;
}

const UNAVAILABLE_CODES = new Set(['NOT_LEADER', 'PROPOSAL_DROPPED', 'STOPPED', 'TIMEOUT', 'STORAGE_FAILED']);

/**
 * Proposes registry commands and waits for them: resolves once the command is committed and applied,
 * throws the NacosError an apply-time refusal carries, and turns Raft unavailability (no leader,
 * leadership lost, stopped) into UNAVAILABLE (503) so a write is never acknowledged unless durable.
 */
export class PersistentStore {
  private readonly proposer: CommandProposer;

  constructor(proposer: CommandProposer) {
    this.proposer = proposer;
  }

  /** Proposes `command`; see the class comment for the outcomes. */
  async execute(command: RegistryCommand): Promise<void> {
    let result: unknown;
    try {
      result = await this.proposer.propose(encodeCommand(command));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) {
        throw new NacosError(NACOS_ERROR_CODES.UNAVAILABLE, `server is not ready to write now (${code}), please try again later`, {
          cause: err,
        });
      }
      throw err;
    }
    const outcome = result as CommandResult | undefined;
    if (outcome && outcome.ok === false) throw new NacosError(outcome.code, outcome.message);
  }
}
