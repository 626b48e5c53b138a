/** Small statistics helpers shared by the benchmarks. */
export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** p50, p95 and mean of one measured step, in milliseconds. */
export interface Timing {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly meanMs: number;
}

export function timing(samples: readonly number[]): Timing {
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return { p50Ms: round(percentile([...samples], 50), 3), p95Ms: round(percentile([...samples], 95), 3), meanMs: round(mean, 3) };
}
