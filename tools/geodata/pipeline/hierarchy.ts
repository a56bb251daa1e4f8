/**
 * The synthetic hierarchy below the districts. Seeded random points are drawn on each district's land, denser toward
 * the city core and the district seat; hierarchical k-means then cuts them into the real number of streets, each
 * street into its real number of communities, and each community into grid seeds. Real NBS names and codes are
 * handed to the clusters nearest the core first, because low codes are, by convention, the old town.
 */
import type { CityConfig } from './city-config';
import { balanceClusters, kmeans } from './kmeans';
import type { LandDistrict } from './land';
import { distance, type Point } from './planar';
import type { SeededRandom } from './prng';
import type { CommunityKind, DivisionDistrict } from './sources';

/** Grid budget weight per community kind (GEODATA.md): a village has half a neighbourhood's grids. */
const KIND_WEIGHT: Record<CommunityKind, number> = { community: 1, village: 0.5 };

export interface StreetUnit { code: string; name: string; district: string; centre: Point }
export interface CommunityUnit { code: string; name: string; kind: CommunityKind; street: string; district: string; centre: Point }
export interface GridSeed {
  position: Point;
  district: number;
  community: string;
  /** relative population density at the seed, 0..1 */
  density: number;
}

export interface Hierarchy {
  streets: StreetUnit[];
  communities: CommunityUnit[];
  seeds: GridSeed[];
}

/** Density of the synthetic population at a point (unnormalised). */
function densityAt(p: Point, core: Point, seat: Point, config: CityConfig): number {
  const { floor, coreSigmaKm, seatSigmaKm, seatWeight } = config.density;
  const rc = distance(p, core) / (coreSigmaKm * 1000);
  const rs = distance(p, seat) / (seatSigmaKm * 1000);
  return floor + Math.exp(-rc * rc) + seatWeight * Math.exp(-rs * rs);
}

function samplePoints(district: LandDistrict, count: number, core: Point, config: CityConfig, random: SeededRandom): Point[] {
  const [minX, minY, maxX, maxY] = district.inside.bbox;
  const max = config.density.floor + 1 + config.density.seatWeight;
  const points: Point[] = [];
  let attempts = 0;
  while (points.length < count) {
    if (++attempts > count * 10_000) throw new Error(`sampling district ${district.code}: too few points land inside it`);
    const p: Point = [minX + random.next() * (maxX - minX), minY + random.next() * (maxY - minY)];
    if (random.next() * max > densityAt(p, core, district.seat, config)) continue;
    if (district.inside.contains(p)) points.push(p);
  }
  return points;
}

/** Adds jittered copies of existing points (on land) until there are `needed`, so a small cluster can still be cut. */
function topUp(points: Point[], needed: number, district: LandDistrict, random: SeededRandom): Point[] {
  const out = points.slice();
  if (out.length >= needed) return out;
  // Jitter on the cluster's own scale, so a thin cluster spreads over its area instead of piling up at its points.
  const cx = points.reduce((s, p) => s + p[0], 0) / points.length, cy = points.reduce((s, p) => s + p[1], 0) / points.length;
  const radius = Math.max(60, Math.sqrt(points.reduce((s, p) => s + (p[0] - cx) ** 2 + (p[1] - cy) ** 2, 0) / points.length));
  for (let attempts = 0; out.length < needed; attempts++) {
    if (attempts > needed * 1000) throw new Error(`district ${district.code}: cannot place ${needed} points in a cluster`);
    const base = random.pick(points);
    const p: Point = [base[0] + (random.next() - 0.5) * radius, base[1] + (random.next() - 0.5) * radius];
    if (district.inside.contains(p)) out.push(p);
  }
  return out;
}

/** Orders cluster indices by their centre's distance to the core, nearest first (ties by index, for stability). */
function nearestCoreFirst(centres: Point[], core: Point): number[] {
  return centres.map((c, i) => ({ i, d: distance(c, core) })).sort((a, b) => a.d - b.d || a.i - b.i).map((x) => x.i);
}

function groupBy(points: readonly Point[], labels: Int32Array, k: number): Point[][] {
  const groups: Point[][] = Array.from({ length: k }, () => []);
  points.forEach((p, i) => (groups[labels[i] as number] as Point[]).push(p));
  return groups;
}

/** A cluster centre can fall outside a concave district or on water: move it to the nearest member point. */
function onLand(centre: Point, members: readonly Point[], district: LandDistrict): Point {
  if (district.inside.contains(centre)) return centre;
  let best = members[0] as Point, bestD = Infinity;
  for (const m of members) {
    const d = distance(m, centre);
    if (d < bestD) { bestD = d; best = m; }
  }
  return [best[0], best[1]];
}

/**
 * Builds the street, community and grid-seed hierarchy of every district.
 * @param core the city core, metres
 */
export function buildHierarchy(
  lands: LandDistrict[],
  divisions: DivisionDistrict[],
  core: Point,
  config: CityConfig,
  random: SeededRandom,
): Hierarchy {
  const totalWeight = divisions.reduce(
    (s, d) => s + d.streets.reduce((t, st) => t + st.communities.reduce((u, c) => u + KIND_WEIGHT[c.kind], 0), 0), 0);
  const budgetOf = (kind: CommunityKind) => Math.max(1, Math.round((config.gridTarget * KIND_WEIGHT[kind]) / totalWeight));
  const streets: StreetUnit[] = [], communities: CommunityUnit[] = [], seeds: GridSeed[] = [];
  let maxDensity = 0;
  const rawDensity: number[] = [];

  lands.forEach((land, di) => {
    const division = divisions[di] as DivisionDistrict;
    const districtRandom = random.fork(land.code);
    const budget = division.streets.reduce((s, st) => s + st.communities.reduce((t, c) => t + budgetOf(c.kind), 0), 0);
    const points = samplePoints(land, Math.max(budget * config.pointsPerGrid, division.streets.length * 4), core, config, districtRandom);
    const streetBudget = (st: DivisionDistrict['streets'][number]) => st.communities.reduce((t, c) => t + budgetOf(c.kind), 0);
    const initialStreets = kmeans(points, division.streets.length, districtRandom);
    const streetOrder = nearestCoreFirst(initialStreets.centres, core);
    // Cluster i becomes the street ranked rankOf[i]; size it to that street's share of the district's grids.
    const streetTargets = new Array<number>(division.streets.length);
    streetOrder.forEach((cluster, rank) => (streetTargets[cluster] = (points.length * streetBudget(division.streets[rank]!)) / budget));
    const streetClusters = balanceClusters(points, initialStreets, streetTargets);
    const streetGroups = groupBy(points, streetClusters.labels, division.streets.length);
    streetOrder.forEach((cluster, rank) => {
      const street = division.streets[rank]!;
      streets.push({ code: street.code, name: street.name, district: land.code, centre: streetClusters.centres[cluster]! });
      const needed = street.communities.reduce((s, c) => s + budgetOf(c.kind), 0) * 3;
      const streetPoints = topUp(streetGroups[cluster]!, Math.max(needed, street.communities.length * 3), land, districtRandom);
      const initialCommunities = kmeans(streetPoints, street.communities.length, districtRandom);
      const communityOrder = nearestCoreFirst(initialCommunities.centres, core);
      const streetGrids = streetBudget(street);
      const communityTargets = new Array<number>(street.communities.length);
      communityOrder.forEach((cc, crank) => (communityTargets[cc] = (streetPoints.length * budgetOf(street.communities[crank]!.kind)) / streetGrids));
      const communityClusters = balanceClusters(streetPoints, initialCommunities, communityTargets);
      const communityGroups = groupBy(streetPoints, communityClusters.labels, street.communities.length);
      communityOrder.forEach((cc, crank) => {
        const community = street.communities[crank]!;
        communities.push({
          code: community.code, name: community.name, kind: community.kind, street: street.code, district: land.code,
          centre: communityClusters.centres[cc]!,
        });
        const k = budgetOf(community.kind);
        const members = topUp(communityGroups[cc]!, k * 2, land, districtRandom);
        const gridClusters = kmeans(members, k, districtRandom);
        const gridGroups = groupBy(members, gridClusters.labels, k);
        gridClusters.centres.forEach((c, gi) => {
          const position = onLand(c, gridGroups[gi]!, land);
          const d = densityAt(position, core, land.seat, config);
          maxDensity = Math.max(maxDensity, d);
          rawDensity.push(d);
          seeds.push({ position, district: di, community: community.code, density: 0 });
        });
      });
    });
  });
  seeds.forEach((s, i) => (s.density = (rawDensity[i] as number) / maxDensity));
  dedupeSeeds(seeds);
  return { streets, communities, seeds };
}

/** Voronoi needs distinct sites: nudge any seed that repeats an earlier one by a few centimetres. */
function dedupeSeeds(seeds: GridSeed[]): void {
  const seen = new Set<string>();
  for (const s of seeds) {
    let key = `${s.position[0].toFixed(2)},${s.position[1].toFixed(2)}`;
    while (seen.has(key)) {
      s.position = [s.position[0] + 0.05, s.position[1] + 0.03];
      key = `${s.position[0].toFixed(2)},${s.position[1].toFixed(2)}`;
    }
    seen.add(key);
  }
}
