import { InvalidOptionError } from '../errors.ts';
import type { BaseAgent } from './base-agent.ts';
import type { AgentPlugin } from './plugin.ts';

/**
 * Timers by plugin. Not a private field: plugins of thread and process agents are rebuilt from
 * their fields on the other side without running the constructor, so `#fields` would not exist.
 */
const timers = new WeakMap<HeartbeatPlugin, NodeJS.Timeout>();

/**
 * Sends a heartbeat (`AGENT_HEARTBEAT`) every `interval` ms while the agent runs, from the agent's
 * own thread or process: when that event loop is blocked or the agent hangs, the heartbeats stop
 * and the orchestrator reports the agent unresponsive after `unresponsiveAfter` check intervals.
 * Works in every mode: `plugins: [new HeartbeatPlugin({ interval: 500 })]`.
 */
export class HeartbeatPlugin implements AgentPlugin {
  static readonly module = import.meta.url;
  /** ms between heartbeats. */
  readonly interval: number;

  /** Throws `InvalidOptionError` naming `HeartbeatPlugin.interval` (or the options) and the value. */
  constructor(options: { interval?: number } = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('HeartbeatPlugin options', options, '{ interval?: number } or nothing');
    }
    const { interval = 1000 } = options;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0) {
      throw new InvalidOptionError('HeartbeatPlugin.interval', interval, 'a positive number of ms');
    }
    this.interval = interval;
  }

  init(agent: BaseAgent): void {
    agent.heartbeat();
    // Unref'd: a heartbeat never keeps a finished agent's thread or process alive.
    timers.set(this, setInterval(() => agent.heartbeat(), this.interval).unref());
  }

  release(): void {
    clearInterval(timers.get(this));
    timers.delete(this);
  }
}
