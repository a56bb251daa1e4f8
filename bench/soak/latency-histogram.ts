/**
 * A fixed-bucket latency histogram (1 ms buckets up to 60 s): constant memory however long a soak runs, exact
 * enough for p50/p99 in milliseconds.
 */
export class LatencyHistogram {
  private readonly buckets = new Float64Array(60_001);
  count = 0;
  max = 0;

  record(ms: number): void {
    const bucket = Math.min(this.buckets.length - 1, Math.max(0, Math.round(ms)));
    this.buckets[bucket] = (this.buckets[bucket] ?? 0) + 1;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The smallest bucket (ms) at or below which a fraction `p` of the samples lie; NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil(p * this.count);
    let seen = 0;
    for (let ms = 0; ms < this.buckets.length; ms++) {
      seen += this.buckets[ms] ?? 0;
      if (seen >= rank) return ms;
    }
    return this.buckets.length - 1;
  }

  summary(): { samples: number; p50: number; p90: number; p99: number; max: number } {
    return { samples: this.count, p50: this.percentile(0.5), p90: this.percentile(0.9), p99: this.percentile(0.99), max: Math.round(this.max) };
  }
}
