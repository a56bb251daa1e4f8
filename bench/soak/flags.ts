/** Command-line flags of the soak benchmarks. */

/** `text` as a number ≥ 0 (> 0 unless `allowZero`); otherwise prints which flag and why, and exits with 2. */
export function positiveFlag(name: string, text: string | undefined, allowZero = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    console.error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${text}`);
    process.exit(2);
  }
  return value;
}
