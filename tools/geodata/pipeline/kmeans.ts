/**
 * Deterministic k-means (k-means++ seeding from a {@link SeededRandom}, then Lloyd iterations) on planar points.
 * The build clusters sample points three times (streets in a district, communities in a street, grid seeds in a
 * community), so clusters of density-weighted points become areas of roughly equal population.
 */
import type { SeededRandom } from './prng';
import type { Point } from './planar';

export interface Clustering {
  centres: Point[];
  /** cluster index of each input point */
  labels: Int32Array;
}

/**
 * Clusters `points` into `k` groups. Never returns an empty cluster: an emptied centre is moved to the point farthest
 * from its own centre, so every named area always gets a region.
 * @throws when there are fewer points than clusters
 */
export function kmeans(points: readonly Point[], k: number, random: SeededRandom, iterations = 25): Clustering {
  const n = points.length;
  if (k < 1) throw new Error(`kmeans: k must be at least 1, got ${k}`);
  if (n < k) throw new Error(`kmeans: ${n} points cannot form ${k} clusters`);
  const centres: Point[] = [];
  const nearest = new Float64Array(n).fill(Infinity);
  const firstPoint = points[random.int(n)] as Point;
  centres.push([firstPoint[0], firstPoint[1]]);
  while (centres.length < k) {
    const c = centres[centres.length - 1] as Point;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const p = points[i] as Point;
      const d = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2;
      if (d < (nearest[i] as number)) nearest[i] = d;
      total += nearest[i] as number;
    }
    let target = random.next() * total;
    let chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= nearest[i] as number;
      if (target <= 0) { chosen = i; break; }
    }
    const p = points[chosen] as Point;
    centres.push([p[0], p[1]]);
  }
  const labels = new Int32Array(n);
  for (let iter = 0; iter < iterations; iter++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const p = points[i] as Point;
      let best = 0, bestD = Infinity;
      for (let j = 0; j < k; j++) {
        const c = centres[j] as Point;
        const d = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2;
        if (d < bestD) { bestD = d; best = j; }
      }
      if (labels[i] !== best || iter === 0) { labels[i] = best; moved++; }
    }
    const sx = new Float64Array(k), sy = new Float64Array(k), count = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const p = points[i] as Point, l = labels[i] as number;
      sx[l] = (sx[l] as number) + p[0];
      sy[l] = (sy[l] as number) + p[1];
      count[l] = (count[l] as number) + 1;
    }
    for (let j = 0; j < k; j++) {
      if ((count[j] as number) > 0) {
        centres[j] = [(sx[j] as number) / (count[j] as number), (sy[j] as number) / (count[j] as number)];
        continue;
      }
      let far = 0, farD = -1;
      for (let i = 0; i < n; i++) {
        const p = points[i] as Point, c = centres[labels[i] as number] as Point;
        const d = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2;
        if (d > farD) { farD = d; far = i; }
      }
      const p = points[far] as Point;
      centres[j] = [p[0], p[1]];
      labels[far] = j;
      moved++;
    }
    if (moved === 0 && iter > 0) break;
  }
  ensureNoEmptyCluster(points, centres, labels);
  return { centres, labels };
}

/** Gives every empty cluster the point farthest from its centre in the largest cluster (stealing may empty another). */
function ensureNoEmptyCluster(points: readonly Point[], centres: Point[], labels: Int32Array): void {
  for (let guard = 0; guard < centres.length; guard++) {
    const count = new Int32Array(centres.length);
    for (const l of labels) count[l] = (count[l] as number) + 1;
    const empty = count.findIndex((c) => c === 0);
    if (empty < 0) return;
    let largest = 0;
    for (let j = 1; j < centres.length; j++) if ((count[j] as number) > (count[largest] as number)) largest = j;
    const c = centres[largest] as Point;
    let far = -1, farD = -1;
    for (let i = 0; i < points.length; i++) {
      if (labels[i] !== largest) continue;
      const p = points[i] as Point;
      const d = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2;
      if (d > farD) { farD = d; far = i; }
    }
    labels[far] = empty;
    const p = points[far] as Point;
    centres[empty] = [p[0], p[1]];
  }
}

/**
 * Re-cuts a clustering so cluster sizes approach `targets` (point counts, same order as `centres`). Plain k-means
 * makes clusters of about equal count, but a street with 20 communities must hold four times the people of one
 * with 5. Each point goes to the centre minimising squared distance minus that centre's bias (a power diagram).
 * With centres fixed, raising the bias of clusters below target is gradient ascent on a concave dual (semi-discrete
 * optimal transport), so it converges; between rounds the centres move to their clusters' means.
 */
export function balanceClusters(points: readonly Point[], start: Clustering, targets: readonly number[], rounds = 3, steps = 80): Clustering {
  // The biases are fitted on an evenly strided sample of at most SAMPLE points (the ascent costs points × clusters
  // per step), then every point is assigned once with them: the megacity's districts have 40,000 points each.
  const SAMPLE = 1500;
  const stride = Math.max(1, Math.ceil(points.length / SAMPLE));
  if (stride > 1) {
    const sample: Point[] = [], sampleLabels: number[] = [];
    for (let i = 0; i < points.length; i += stride) { sample.push(points[i]!); sampleLabels.push(start.labels[i]!); }
    const fitted = fitBalance(sample, { centres: start.centres, labels: Int32Array.from(sampleLabels) }, targets.map((t) => (t * sample.length) / points.length), rounds, steps);
    const labels = new Int32Array(points.length);
    const count = assignWithBias(points, fitted.centres, fitted.bias, labels);
    for (let j = 0; j < count.length; j++) if (count[j]! < 0.6 * Math.max(1, targets[j]!)) return start;
    return { centres: fitted.centres, labels };
  }
  const fitted = fitBalance(points, start, targets, rounds, steps);
  const labels = new Int32Array(points.length);
  const count = assignWithBias(points, fitted.centres, fitted.bias, labels);
  // On awkward shapes (a district of narrow valleys) a cluster can still starve; then equal sizes are the lesser
  // evil, so fall back to the plain clustering rather than hand a street a sliver.
  for (let j = 0; j < count.length; j++) if (count[j]! < 0.6 * Math.max(1, targets[j]!)) return start;
  return { centres: fitted.centres, labels };
}

/** Assigns each point to the centre minimising squared distance minus bias; returns the count per centre. */
function assignWithBias(points: readonly Point[], centres: readonly Point[], bias: Float64Array, labels: Int32Array): Int32Array {
  const k = centres.length;
  const count = new Int32Array(k);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    let best = 0, bestD = Infinity;
    for (let j = 0; j < k; j++) {
      const c = centres[j]!;
      const d = (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 - bias[j]!;
      if (d < bestD) { bestD = d; best = j; }
    }
    labels[i] = best;
    count[best] = count[best]! + 1;
  }
  return count;
}

function fitBalance(points: readonly Point[], start: Clustering, targets: readonly number[], rounds: number, steps: number): { centres: Point[]; bias: Float64Array } {
  const k = start.centres.length;
  const centres = start.centres.map((c) => [c[0], c[1]] as Point);
  const labels = Int32Array.from(start.labels);
  const bias = new Float64Array(k);
  // Each cluster's step is in units of its own initial squared radius, so small and large clusters converge alike.
  const scale = new Float64Array(k);
  const initialCount = new Int32Array(k);
  for (let i = 0; i < points.length; i++) {
    const l = labels[i]!, p = points[i]!, c = centres[l]!;
    scale[l] = scale[l]! + (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2;
    initialCount[l] = initialCount[l]! + 1;
  }
  let meanScale = 0;
  for (let j = 0; j < k; j++) { scale[j] = initialCount[j]! > 0 ? scale[j]! / initialCount[j]! : 0; meanScale += scale[j]! / k; }
  for (let j = 0; j < k; j++) if (scale[j]! === 0) scale[j] = meanScale;
  let count: Int32Array = new Int32Array(k);
  const assign = () => { count = assignWithBias(points, centres, bias, labels); };
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < steps; step++) {
      assign();
      let worst = 0;
      for (let j = 0; j < k; j++) {
        const target = Math.max(1, targets[j]!);
        const ratio = (target - count[j]!) / target;
        worst = Math.max(worst, Math.abs(ratio));
        bias[j] = bias[j]! + 0.3 * scale[j]! * Math.max(-1, Math.min(1, ratio));
      }
      if (worst < 0.03) break;
    }
    if (round === rounds - 1) break;
    const sx = new Float64Array(k), sy = new Float64Array(k);
    for (let i = 0; i < points.length; i++) { const l = labels[i]!; sx[l] = sx[l]! + points[i]![0]; sy[l] = sy[l]! + points[i]![1]; }
    for (let j = 0; j < k; j++) if (count[j]! > 0) centres[j] = [sx[j]! / count[j]!, sy[j]! / count[j]!];
  }
  return { centres, bias };
}
