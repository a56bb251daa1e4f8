/**
 * The WebM frame count the export waits on before it stops the recorder: an EBML walk that enters the Segment and
 * Clusters (unknown sizes, as MediaRecorder writes them live), counts SimpleBlocks and BlockGroups and nothing
 * inside a frame's payload, and can be continued over bytes arriving in pieces.
 */
import { describe, expect, it } from 'vitest';
import { caseRow, CSV_COLUMNS, WebmFrameCounter, webmFrameCount } from '../../client/playback/playback-export';
import { fold } from '../../protocol/reducer';
import { DAY0, EventLog, HOUR, MINUTE } from '../protocol/builders';

const element = (id: number[], payload: number[]) => {
  if (payload.length > 126) throw new Error('test payloads stay under 127 bytes');
  return [...id, 0x80 | payload.length, ...payload];
};
const UNKNOWN = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
// payloads full of 0xA3 / 0xA0 / cluster-id bytes, which a byte search would count
const frame = (n: number) => Array.from({ length: 20 + n }, (_, i) => [0xa3, 0xa0, 0x1f, 0x43, 0xb6, 0x75][i % 6]!);

function file(): Uint8Array {
  const bytes = [
    ...element([0x1a, 0x45, 0xdf, 0xa3], [...element([0x42, 0x82], [...Buffer.from('webm')])]),
    0x18, 0x53, 0x80, 0x67, ...UNKNOWN,
    ...element([0x15, 0x49, 0xa9, 0x66], [...element([0x2a, 0xd7, 0xb1], [0x0f, 0x42, 0x40])]),
    0x1f, 0x43, 0xb6, 0x75, ...UNKNOWN,
    ...element([0xe7], [0x00]),
    ...element([0xa0], element([0xa1], frame(1))),
    ...element([0xa3], frame(2)),
    ...element([0xa0], element([0xa1], frame(3))),
    0x1f, 0x43, 0xb6, 0x75, ...UNKNOWN,
    ...element([0xe7], [0x10]),
    ...element([0xa3], frame(4)),
    ...element([0xa0], element([0xa1], frame(5))),
  ];
  return new Uint8Array(bytes);
}

describe('webmFrameCount', () => {
  it('counts SimpleBlocks and BlockGroups across clusters, not bytes that look like them', () => {
    expect(webmFrameCount(file())).toBe(5);
  });

  it('continues over pieces as they arrive, and stops at a cut-off frame', () => {
    const bytes = file();
    for (const piece of [1, 3, 17, 64]) {
      const counter = new WebmFrameCounter();
      for (let i = 0; i < bytes.length; i += piece) counter.push(bytes.subarray(i, i + piece));
      expect(counter.frames).toBe(5);
      expect(counter.pendingBytes).toBe(0);
    }
    expect(webmFrameCount(bytes.subarray(0, bytes.length - 3))).toBe(4);
    expect(webmFrameCount(new Uint8Array(0))).toBe(0);
  });
});

describe('the cases CSV', () => {
  it('gives each case its handling times and its whistles’ reports: summoned, arrived, and late by each whistle’s own limit', () => {
    const log = new EventLog();
    const t0 = DAY0 + 9 * HOUR;
    log.reported('x', t0);
    log.registered('x', t0 + MINUTE);
    log.dispatched('x', t0 + 2 * MINUTE);
    log.started('x', t0 + 5 * MINUTE);
    // a 15-minute whistle: one department in 10 minutes, one in 20 (late), one never (late once 15 minutes pass)
    const whistle = log.whistled('x', t0 + 10 * MINUTE, 'w1', 'community', ['s-ps-1', 's-um-1', 's-hl-1']);
    (whistle as { reportWithinMinutes?: number }).reportWithinMinutes = 15;
    for (const [department, minutes] of [['s-ps-1', 10], ['s-um-1', 20]] as const) {
      log.departmentReported('x', t0 + (10 + minutes - 2) * MINUTE, 'w1', department, 'acknowledged');
      log.departmentReported('x', t0 + (10 + minutes) * MINUTE, 'w1', department, 'arrived');
    }
    log.resolved('x', t0 + 40 * MINUTE);
    const record = fold(log.events).incidents.get('x')!;
    const row = Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, caseRow(record, t0 + HOUR)[i]]));
    expect(row).toMatchObject({ id: 'x', status: 'resolved', whistles: 1, startedAt: t0 + 5 * MINUTE, resolvedAt: t0 + 40 * MINUTE, summoned: 3, arrived: 2, lateReports: 2 });
    // before the limit passed, the department not yet there was not late
    expect(caseRow(record, t0 + 24 * MINUTE).at(-1)).toBe(1);
  });
});
