import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StepLog } from '../../src/history/step-log.ts';

/** What `log.forEach(agent)` visits, as `step@time:source` strings. */
function stepsOf(log: StepLog, agent: number): string[] {
  const seen: string[] = [];
  log.forEach(agent, (step, time, source) => seen.push(`${step}@${time}:${String(source)}`));
  return seen;
}

describe('StepLog', () => {
  test('an agent with no steps has none, and agents are numbered from 0', () => {
    const log = new StepLog(5);
    assert.equal(log.addAgent(), 0);
    assert.equal(log.addAgent(), 1);
    assert.deepEqual(stepsOf(log, 1), []);
    assert.equal(log.count(1), 0);
  });

  test('each agent keeps its newest `limit` steps, oldest first, whatever the mix: as a list per agent would', () => {
    for (const limit of [1, 2, 7, 1000]) {
      const log = new StepLog(limit);
      const model: string[][] = [];
      let seed = 7;
      const random = (below: number) => {
        seed = (seed * 48271) % 2147483647;
        return seed % below;
      };
      for (let time = 0; time < 40_000; time++) {
        // New agents keep coming; a few of the earlier ones take most of the steps.
        if (model.length === 0 || random(50) === 0) model[log.addAgent()] = [];
        const agent = random(4) === 0 ? random(model.length) : random(Math.min(3, model.length));
        const step = random(10);
        const source = random(2) === 0 ? undefined : `s${time}`;
        log.append(agent, step, time, source);
        model[agent]!.push(`${step}@${time}:${String(source)}`);
        if (time % 997 === 0 || time === 39_999) {
          for (const [other, all] of model.entries()) {
            assert.deepEqual(
              stepsOf(log, other),
              all.slice(-limit),
              `limit ${limit}, agent ${other}, t ${time}`,
            );
            assert.equal(log.count(other), all.length);
          }
        }
      }
    }
  });

  test('a long run of steps does not grow the log past twice what the agents keep (memory stays flat)', () => {
    const log = new StepLog(10);
    const agents = Array.from({ length: 20 }, () => log.addAgent());
    for (let time = 0; time < 100_000; time++)
      log.append(agents[time % agents.length]!, time % 10, time, time);
    // 20 agents keep 10 steps each: 200 kept, and one chunk (4,096 steps) holds them with room.
    assert.equal(log.capacity, 4096);
    assert.deepEqual(
      stepsOf(log, 3),
      Array.from({ length: 10 }, (_, index) => {
        const time = 100_000 - 20 * (10 - index) + 3;
        return `${time % 10}@${time}:${time}`;
      }),
    );
  });
});
