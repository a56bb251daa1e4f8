/**
 * Group commit on its own: which calls share a transaction, and when each call's promise settles.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommitQueue, type CallOutcome } from '../../server/store/group-commit';

/** A backend that records each group it commits and answers each call with its own value doubled. */
function recordingBackend(fail?: (call: number) => boolean) {
  const groups: number[][] = [];
  const commit = async (calls: number[]): Promise<CallOutcome<number>[]> => {
    groups.push(calls);
    await new Promise((resolve) => setTimeout(resolve, 5)); // an fsync's worth of waiting
    return calls.map((call) => (fail?.(call) ? { ok: false, error: new Error(`call ${call} refused`) } : { ok: true, value: call * 2 }));
  };
  return { groups, commit };
}

describe('GroupCommitQueue', () => {
  it('commits the calls of one tick together and resolves each with its own result', async () => {
    const backend = recordingBackend();
    const queue = new GroupCommitQueue(backend.commit);
    const results = await Promise.all([1, 2, 3].map((call) => queue.submit(call)));
    expect(results).toEqual([2, 4, 6]);
    expect(backend.groups).toEqual([[1, 2, 3]]);
  });

  it('gathers calls that arrive while a commit is in flight into the next group', async () => {
    const backend = recordingBackend();
    const queue = new GroupCommitQueue(backend.commit);
    const first = queue.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 1)); // the first group is now committing
    const later = [queue.submit(2), queue.submit(3)];
    await Promise.all([first, ...later]);
    expect(backend.groups).toEqual([[1], [2, 3]]);
  });

  it('splits a flood into groups no heavier than the limit, in arrival order', async () => {
    const backend = recordingBackend();
    const queue = new GroupCommitQueue(backend.commit, { maxWeight: 10, weigh: (call) => (call === 99 ? 25 : 3) });
    await Promise.all([1, 2, 3, 4, 99, 5].map((call) => queue.submit(call)));
    expect(backend.groups).toEqual([[1, 2, 3], [4], [99], [5]]);
  });

  it('rejects only the call the backend refused', async () => {
    const queue = new GroupCommitQueue(recordingBackend((call) => call === 2).commit);
    const outcomes = await Promise.allSettled([1, 2, 3].map((call) => queue.submit(call)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'call 2 refused' });
  });

  it('rejects every call of a group whose transaction failed, and keeps serving later calls', async () => {
    let broken = true;
    const queue = new GroupCommitQueue<number, number>(async (calls) => {
      if (broken) throw new Error('disk full');
      return calls.map((call) => ({ ok: true, value: call }));
    });
    const failed = await Promise.allSettled([queue.submit(1), queue.submit(2)]);
    expect(failed.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    broken = false;
    await expect(queue.submit(3)).resolves.toBe(3);
  });

  it('drains: resolves only after every submitted call has settled', async () => {
    const queue = new GroupCommitQueue(recordingBackend().commit);
    const settled: number[] = [];
    for (const call of [1, 2, 3]) void queue.submit(call).then((value) => settled.push(value));
    await queue.drain();
    await Promise.resolve();
    expect(settled.sort()).toEqual([2, 4, 6]);
  });
});
