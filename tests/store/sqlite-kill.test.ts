/**
 * Durability of the SQLite store under kill -9: a child process appends and prints each acknowledged seq; the test
 * kills it with SIGKILL mid-stream, reopens the file and finds every acknowledged event, with the right id, in a
 * gap-free log.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../server/store/sqlite/sqlite-event-store';

const CHILD = fileURLToPath(new URL('./append-until-killed.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)); // where `--import tsx` resolves
const ACKS_BEFORE_KILL = 3000;

describe('SQLite store under kill -9', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged event when the writer is killed mid-stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridwatch-kill-'));
    dirs.push(dir);
    const file = join(dir, 'events.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const acked = new Map<string, number>();
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? ''; // a torn last line is not an ack we can rely on
      for (const line of lines) {
        const [word, seq, id] = line.split(' ');
        if (word === 'acked' && seq && id) acked.set(id, Number(seq));
      }
      if (acked.size >= ACKS_BEFORE_KILL && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });

    const signal = await exited;
    expect(signal, `the writer should die by SIGKILL, not exit by itself; stderr: ${stderr}`).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

    const store = new SqliteEventStore({ path: file });
    await store.init();
    try {
      const log = await store.readSeqRange(0);
      const seqOf = new Map(log.map((event) => [event.id, event.seq]));
      const missing = [...acked].filter(([id, seq]) => seqOf.get(id) !== seq);
      expect(missing, 'acknowledged events missing or renumbered after kill -9').toEqual([]);
      expect(log.map((event) => event.seq)).toEqual(log.map((_, i) => i + 1));
      expect(await store.headSeq()).toBeGreaterThanOrEqual(Math.max(...acked.values()));
    } finally {
      await store.close();
    }
  });
});
