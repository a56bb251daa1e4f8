import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../protocol/events';
import { httpSink, IngestRefusedError } from '../../server/simulator/http-sink';

const EVENT = { id: 'e1', type: 'incident.registered', at: '2026-11-22T04:00:00Z', incidentId: 'i1' } as IncomingEvent;

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A fake ingest endpoint answering with the given statuses in turn (the last repeats), recording requests. */
async function fakeIngest(statuses: number[]) {
  const requests: Array<{ auth: string | undefined; body: unknown }> = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ auth: req.headers.authorization, body: JSON.parse(body) });
      const status = statuses[Math.min(requests.length - 1, statuses.length - 1)] as number;
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0.01' } : {}) });
      res.end(
        status === 200
          ? JSON.stringify({ stored: 1, rejected: 0, acks: [{ index: 0, id: 'e1', status: 'stored', seq: 1, grid: '530102001001001', duplicate: false }] })
          : JSON.stringify({ error: { code: 'x', message: `status ${status}` } }),
      );
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}`, requests };
}

describe('the HTTP sink', () => {
  it('posts the batch with the bearer key and retries through 503 and 429 until it is stored', async () => {
    const { url, requests } = await fakeIngest([503, 429, 200]);
    const retries: string[] = [];
    const sink = httpSink({ url, key: 'k'.repeat(20), onRetry: (reason) => retries.push(reason) });
    await sink([EVENT]);
    expect(requests).toHaveLength(3);
    expect(requests[2]).toEqual({ auth: `Bearer ${'k'.repeat(20)}`, body: { events: [EVENT] } });
    expect(retries).toEqual(['HTTP 503: status 503', 'HTTP 429: status 429']);
    expect(sink.stats).toMatchObject({ batches: 1, stored: 1, retries: 2 });
  });

  it('stops with the server\'s message when the key is refused', async () => {
    const { url, requests } = await fakeIngest([403]);
    const sink = httpSink({ url, key: 'wrong' });
    await expect(sink([EVENT])).rejects.toThrow(IngestRefusedError);
    await expect(sink([EVENT])).rejects.toThrow(/HTTP 403\): status 403/);
    expect(requests).toHaveLength(2);
  });
});
