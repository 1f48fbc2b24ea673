/**
 * "Nothing left behind": no child process of this test process, no worker thread, no child-process
 * handle still open. Worker threads do not show in `process.getActiveResourcesInfo()` (it lists libuv
 * handles; a Worker has none in the parent), so threads are counted in /proc: Node names them
 * `WorkerThread`. Child processes show there as `ProcessWrap` (and their IPC pipe), and in
 * /proc/<pid>/task/<tid>/children.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { it } from 'node:test';

/** Pids of the live children of this process. */
export function childPids(): number[] {
  return readdirSync(`/proc/${process.pid}/task`).flatMap((task) => {
    try {
      return readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8')
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return []; // the thread ended while we looked
    }
  });
}

/** Worker threads of this process still alive. */
export function workerThreads(): number {
  return readdirSync(`/proc/${process.pid}/task`).filter((task) => {
    try {
      return readFileSync(`/proc/${process.pid}/task/${task}/comm`, 'utf8').trim() === 'WorkerThread';
    } catch {
      return false; // the thread ended while we looked
    }
  }).length;
}

/** Active resources that belong to a worker or a child process. */
export function workerOrChildResources(): string[] {
  return process.getActiveResourcesInfo().filter((name) => /Worker|Process/.test(name));
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const clean = () =>
  childPids().length === 0 && workerThreads() === 0 && workerOrChildResources().length === 0;

/**
 * Asserts nothing is left. A child's process handle is released by a close callback two turns of
 * the event loop after its `close` event (no event marks it), so the condition is re-checked after
 * each turn, not after a timer: across the suite it held at once or after exactly two turns. The
 * 10 s deadline only bounds a real leftover.
 */
export async function assertNoLeftovers(): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!clean() && performance.now() < deadline) await nextTurn();
  assert.deepEqual(
    { childPids: childPids(), workerThreads: workerThreads(), resources: workerOrChildResources() },
    { childPids: [], workerThreads: 0, resources: [] },
  );
}

/** The last test of a mode's block: every agent it ran is gone, with its thread or process. */
export function itLeavesNothingBehind(): void {
  it('leaves no worker thread, child process or handle behind', assertNoLeftovers);
}
