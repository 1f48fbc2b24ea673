import { type AgentConfig, BaseAgent } from './base-agent.ts';

/** Runs `execute` once; the value it returns is the agent's result (`entry.result`, `AGENT_TERMINATED.result`). */
export abstract class OneShotAgent<C extends object = AgentConfig, R = unknown> extends BaseAgent<C, R> {}
