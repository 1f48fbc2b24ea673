/**
 * SIGINT / SIGTERM while agents run: the orchestrator shuts down gracefully first, then lets the
 * signal have its usual effect (unless someone else listens for it too).
 */
import type { Logger } from '../logging/logger.ts';

/** Installs the handlers; returns what removes them. */
export function handleSignals(shutdown: () => Promise<void>, logger: () => Logger): () => void {
  const handler = (signal: NodeJS.Signals) => {
    logger().warn({ signal }, 'Shutting down on signal.');
    const alone = process.listenerCount(signal) === 1;
    void shutdown().then(() => {
      // We held the signal back; let it have its usual effect now that agents are down.
      if (alone) process.kill(process.pid, signal);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
