import { describe, expect, it } from 'vitest';
import { DISTRICT_A, gridsOf } from './helpers/tiny-city';
import { reported, startTestServer } from './helpers/test-server';

describe('ingest rate limit', () => {
  it('past its per-minute budget the ingest key is answered 429 with Retry-After, and nothing more is stored', async () => {
    const t = await startTestServer({ env: { INGEST_RATE_LIMIT: '3' } });
    try {
      const grid = gridsOf(DISTRICT_A)[0] as string;
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await t.post({ events: [reported(grid)] })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(await t.store.headSeq()).toBe(3);
      const res = await fetch(`${t.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.ingestKey}` },
        body: JSON.stringify({ events: [reported(grid)] }),
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      // Reads are not limited by the ingest budget.
      expect((await fetch(`${t.url}/api/v1/health`)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
