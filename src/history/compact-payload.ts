/**
 * The events every run makes most of (state changes, registered, queued, started inline, ready,
 * running: ten of the eleven of a trivial inline run that waited for a slot) carry nothing but an
 * agent, a time and a number or one or two names from short fixed lists. The memory history keeps
 * those as columns (the agent's name, the time, a 32-bit code) and builds the payload again when a
 * query asks for it, so it holds no object per event. Ten thousand held payloads, written into an
 * array that lives long, were objects each scavenge had to find and copy: 100,000 trivial inline
 * agents ran ~12% faster with no payload held at all.
 *
 * A payload is kept this way only when it is exactly what the event map says, key for key: the
 * rebuilt payload is then equal to the one the listeners got (not the same object). The
 * orchestrator's own such events go further (`EventHub.emitCompact`): they are written as their
 * codes, and their payload is built only when someone listens.
 */
import type { OrchestratorEventMap, OrchestratorEventName } from '../events/event-map.ts';
import { AGENT_STATUSES, type AgentStatus } from '../orchestrator/agent-state.ts';
import { AGENT_MODES, type AgentMode } from '../protocol/messages.ts';

/** The code of a payload that is not kept as columns. */
export const NOT_COMPACT = -1;

/** The events whose payloads can be kept as columns (an inline agent's `started` only). */
export type CompactEventName =
  | 'agent:ready'
  | 'agent:running'
  | 'agent:queued'
  | 'agent:registered'
  | 'agent:state-changed'
  | 'agent:started';

export interface CompactForm {
  /** The payload's code (an unsigned 32-bit integer), or `NOT_COMPACT` when it must be kept as it is. */
  encode(payload: object): number;
  /** The payload again, from the columns. */
  decode(agent: string, timestamp: number, code: number): object;
}

const MAX_CODE = 0xffff_ffff;

const codeOf = <T>(list: readonly T[], value: unknown): number => list.indexOf(value as T);

/** Enumerable keys, counted without making an array (an inherited one makes the payload not compact). */
function keyCount(payload: object): number {
  let count = 0;
  for (const _ in payload) count++;
  return count;
}

/** `{ agent, timestamp }` and `extra` keys: the shape every compact payload starts with. */
function isAgentPayload(payload: object, extra: number): payload is { agent: unknown; timestamp: unknown } {
  const { agent, timestamp } = payload as { agent?: unknown; timestamp?: unknown };
  return typeof agent === 'string' && typeof timestamp === 'number' && keyCount(payload) === 2 + extra;
}

const bare: CompactForm = {
  encode: (payload) => (isAgentPayload(payload, 0) ? 0 : NOT_COMPACT),
  decode: (agent, timestamp) => ({ agent, timestamp }),
};

const STATUS_COUNT = AGENT_STATUSES.length;

/** The host's pid: every inline agent's `started` names it, with no thread. */
const hostPid = process.pid;

/**
 * The codes of the orchestrator's own compact events, for `EventHub.emitCompact`, which writes them
 * without a payload object: the same codes `encode` finds in the payloads they stand for.
 */
export const compactCode = {
  /** `registered` and an inline `started`: the agent's mode (`NOT_COMPACT` when it is not one). */
  mode(mode: AgentMode): number {
    const code = codeOf(AGENT_MODES, mode);
    return code < 0 ? NOT_COMPACT : code;
  },
  /** `state-changed`: the two statuses (`NOT_COMPACT` when either is not one). */
  transition(from: AgentStatus, to: AgentStatus): number {
    const fromCode = codeOf(AGENT_STATUSES, from);
    const toCode = codeOf(AGENT_STATUSES, to);
    return fromCode < 0 || toCode < 0 ? NOT_COMPACT : fromCode * STATUS_COUNT + toCode;
  },
  /** A `state-changed` code's status after the change. */
  to: (code: number): AgentStatus => AGENT_STATUSES[code % STATUS_COUNT] as AgentStatus,
} as const;

const FORMS: Record<CompactEventName, CompactForm> = {
  'agent:ready': bare,
  'agent:running': bare,
  'agent:queued': {
    encode(payload) {
      if (!isAgentPayload(payload, 1)) return NOT_COMPACT;
      const { position } = payload as OrchestratorEventMap['agent:queued'];
      return Number.isInteger(position) && position >= 0 && position <= MAX_CODE ? position : NOT_COMPACT;
    },
    decode: (agent, timestamp, position): OrchestratorEventMap['agent:queued'] => ({
      agent,
      timestamp,
      position,
    }),
  },
  'agent:registered': {
    encode(payload) {
      if (!isAgentPayload(payload, 1)) return NOT_COMPACT;
      return compactCode.mode((payload as OrchestratorEventMap['agent:registered']).mode);
    },
    decode: (agent, timestamp, code): OrchestratorEventMap['agent:registered'] => ({
      agent,
      timestamp,
      mode: AGENT_MODES[code] as AgentMode,
    }),
  },
  'agent:state-changed': {
    encode(payload) {
      if (!isAgentPayload(payload, 2)) return NOT_COMPACT;
      const { from, to } = payload as OrchestratorEventMap['agent:state-changed'];
      return compactCode.transition(from, to);
    },
    decode: (agent, timestamp, code): OrchestratorEventMap['agent:state-changed'] => ({
      agent,
      timestamp,
      from: AGENT_STATUSES[Math.floor(code / STATUS_COUNT)] as AgentStatus,
      to: compactCode.to(code),
    }),
  },
  // An inline agent's start: the host's pid, no thread. Threads and processes keep their payload.
  'agent:started': {
    encode(payload) {
      if (!isAgentPayload(payload, 3)) return NOT_COMPACT;
      const { mode, pid, threadId } = payload as OrchestratorEventMap['agent:started'];
      const code = compactCode.mode(mode);
      return code === NOT_COMPACT || pid !== hostPid || threadId !== undefined || !('threadId' in payload)
        ? NOT_COMPACT
        : code;
    },
    decode: (agent, timestamp, code): OrchestratorEventMap['agent:started'] => ({
      agent,
      timestamp,
      mode: AGENT_MODES[code] as AgentMode,
      pid: hostPid,
      threadId: undefined,
    }),
  },
};

/** How `type`'s payloads can be kept as columns, if they can. */
export const compactFormOf = (type: OrchestratorEventName): CompactForm | undefined =>
  Object.hasOwn(FORMS, type) ? FORMS[type as CompactEventName] : undefined;

/** The payload of a compact event of `type`, from its columns: equal key for key to the one it stands for. */
export const compactPayload = <K extends CompactEventName>(
  type: K,
  agent: string,
  timestamp: number,
  code: number,
): OrchestratorEventMap[K] => FORMS[type].decode(agent, timestamp, code) as OrchestratorEventMap[K];
