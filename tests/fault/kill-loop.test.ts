/**
 * The CI variant of the repeated kill -9 (bench/soak/kill-loop.ts runs 10 kills at 1k events/s): 3 kills of the
 * server child process mid-stream at 500 events/s, each followed by a restart on the same DATA_DIR. No acknowledged
 * event is ever lost or changed, the log stays gap-free, and each restarted server serves.
 */
import { describe, expect, it } from 'vitest';
import { runKillLoop } from '../../bench/soak/kill-loop-run';

describe('kill -9, again and again', () => {
  it('loses no acknowledged event over three kills, and every restart serves', async () => {
    const result = await runKillLoop({ kills: 3, rate: 500, burstMs: 2_000 });
    expect(result.rounds).toHaveLength(3);
    for (const round of result.rounds) {
      // each burst got acknowledgements (so the restarted server took ingest) and was killed with posts in flight
      expect(round.acknowledged).toBeGreaterThan(0);
      expect(round).toMatchObject({ lost: 0, logGapFree: true, healthHeadMatches: true });
    }
    expect(result.lost).toBe(0);
    expect(result.storedAtEnd).toBeGreaterThanOrEqual(result.acknowledged);
    expect(result.cleanExit).toBe(true);
  }, 150_000);
});
