/**
 * The arithmetic behind the soak's figures (bench/soak): percentiles from the fixed-bucket histogram, memory growth
 * after warm-up, and reading a sample from Prometheus text. Wrong here, every soak figure would be wrong.
 */
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../bench/soak/latency-histogram';
import { growth, metric } from '../../bench/soak/soak-run';

describe('soak figures', () => {
  it('the histogram gives the nearest-rank percentile in whole milliseconds', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
    expect(histogram.summary()).toEqual({ samples: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    histogram.record(120_000); // beyond the last bucket: counted there, and as the max
    expect(histogram.percentile(1)).toBe(60_000);
    expect(histogram.max).toBe(120_000);
    expect(new LatencyHistogram().percentile(0.99)).toBeNaN();
  });

  it('growth compares the last fifth of the samples with the first fifth', () => {
    expect(growth([100, 100, 100, 100, 100, 110, 110, 110, 110, 110])).toBe(0.1);
    expect(growth([200, 150, 120, 100, 100])).toBe(-0.5);
    expect(growth([42])).toBe(0);
  });

  it('reads an unlabelled sample from Prometheus text, and NaN when it is absent', () => {
    const text = '# HELP x\ngridwatch_process_resident_memory_bytes 123456789\ngridwatch_nodejs_eventloop_lag_p99_seconds 0.012\n';
    expect(metric(text, 'gridwatch_process_resident_memory_bytes')).toBe(123456789);
    expect(metric(text, 'gridwatch_nodejs_eventloop_lag_p99_seconds')).toBe(0.012);
    expect(metric(text, 'gridwatch_connected_screens')).toBeNaN();
  });
});
