/**
 * The figures the simulator is calibrated to: when demand arrives, what it is about, how it is reported, how long
 * each stage takes, and how whistles split by tier. Kept apart from the engine so that they can be read and tuned
 * in one place.
 */
import type { Priority, WhistleTier, WhistleType } from '../../protocol/events';
import type { CategoryGroup } from '../../protocol/catalogues';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/**
 * Relative arrival intensity per Asia/Shanghai hour (0–23): quiet nights, a morning peak when patrols start and
 * hotline lines open, a lunch dip, an afternoon plateau and an evening bump of noise and neighbour complaints.
 * Normalised to a mean of 1 below, so `rate` is the daily mean.
 */
const HOURLY_SHAPE = [
  0.18, 0.12, 0.1, 0.09, 0.1, 0.18, 0.45, 0.95, 1.55, 1.85, 1.9, 1.7, 1.2, 1.35, 1.6, 1.7, 1.6, 1.45, 1.25, 1.2, 1.15, 0.95,
  0.6, 0.32,
];
const SHAPE_MEAN = HOURLY_SHAPE.reduce((a, b) => a + b, 0) / HOURLY_SHAPE.length;
export const HOURLY_INTENSITY: readonly number[] = HOURLY_SHAPE.map((v) => v / SHAPE_MEAN);
export const PEAK_INTENSITY = Math.max(...HOURLY_INTENSITY);

/** Share of demand per category (codes from protocol/catalogues.ts); city-appearance and order matters dominate. */
export const CATEGORY_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['env.litter', 9], ['env.waste-overflow', 6], ['env.sewage', 2], ['env.dumping', 3], ['env.burning', 0.6],
  ['env.noise', 5], ['env.fumes', 2],
  ['ad.illegal-posting', 5], ['ad.unlicensed-sign', 1.2], ['ad.banner', 1.5],
  ['build.night-work', 1.5], ['build.dust', 1.5], ['build.illegal', 1.2], ['build.muck-truck', 0.8],
  ['order.street-vending', 6], ['order.shop-overflow', 5], ['order.parking', 6], ['order.shared-bikes', 3],
  ['emergency.waterlogging', 0.8], ['emergency.pipe-burst', 0.4], ['emergency.gas-leak', 0.15], ['emergency.fire', 0.1],
  ['emergency.collapse', 0.15],
  ['facility.manhole', 1.5], ['facility.streetlight', 3], ['facility.road-damage', 2.5], ['facility.greenery', 1.5],
  ['facility.traffic-sign', 1],
  ['social.neighbour-dispute', 4], ['social.property-dispute', 4], ['social.wage-arrears', 1.2],
  ['social.safety-hazard', 3], ['social.food-safety', 1.2], ['social.public-health', 0.8], ['social.vulnerable-care', 1],
  ['social.security', 1.5], ['other', 2],
];

/** Channel mix per category group: sensors see emergencies and facilities, cameras see the street. */
export const CHANNEL_WEIGHTS: Record<CategoryGroup, ReadonlyArray<readonly [string, number]>> = {
  environment: [['grid-patrol', 40], ['hotline-12345', 22], ['mini-program', 20], ['video-analytics', 12], ['assigned', 4], ['other', 2]],
  advertising: [['grid-patrol', 55], ['mini-program', 18], ['video-analytics', 15], ['hotline-12345', 10], ['other', 2]],
  construction: [['hotline-12345', 45], ['grid-patrol', 30], ['mini-program', 15], ['assigned', 8], ['other', 2]],
  'street-order': [['grid-patrol', 40], ['video-analytics', 30], ['hotline-12345', 15], ['mini-program', 13], ['other', 2]],
  emergency: [['sensor', 30], ['hotline-12345', 35], ['grid-patrol', 20], ['video-analytics', 10], ['assigned', 5]],
  facilities: [['grid-patrol', 40], ['sensor', 15], ['hotline-12345', 25], ['mini-program', 18], ['other', 2]],
  social: [['hotline-12345', 45], ['grid-patrol', 35], ['mini-program', 10], ['assigned', 9], ['other', 1]],
  other: [['hotline-12345', 40], ['grid-patrol', 30], ['mini-program', 20], ['other', 10]],
};

/** Priority mix: emergencies are mostly urgent, everything else mostly normal. */
export function priorityWeights(group: CategoryGroup): ReadonlyArray<readonly [Priority, number]> {
  return group === 'emergency'
    ? [['urgent', 60], ['high', 40]]
    : [['low', 8], ['normal', 78], ['high', 12], ['urgent', 2]];
}

/** Kunming's whistles by tier: 17,532 community, 1,651 street, 43 district (19,226 in all). */
export const WHISTLE_TIER_WEIGHTS: ReadonlyArray<readonly [WhistleTier, number]> = [
  ['community', 17_532],
  ['street', 1_651],
  ['district', 43],
];

/** Share of cases that need a whistle, by group: hard social cases and emergencies need other departments most. */
export const WHISTLE_PROBABILITY: Record<CategoryGroup, number> = {
  environment: 0.06,
  advertising: 0.03,
  construction: 0.15,
  'street-order': 0.05,
  emergency: 0.35,
  facilities: 0.08,
  social: 0.18,
  other: 0.05,
};

export function whistleTypeWeights(group: CategoryGroup): ReadonlyArray<readonly [WhistleType, number]> {
  return group === 'emergency' ? [['emergency', 85], ['hard', 15]] : [['routine', 80], ['hard', 18], ['emergency', 2]];
}

/** Stage delays. Means are of exponential draws unless said otherwise; floors keep stages from coinciding. */
export const DELAYS = {
  /** 受理 → 立案 */
  register: { mean: 8 * MINUTE, floor: 30_000 },
  /** 受理 → 注销 (duplicates, out of scope) */
  cancel: { mean: 12 * MINUTE, floor: MINUTE },
  /** 立案 → 派遣 */
  dispatch: { mean: 12 * MINUTE, floor: MINUTE },
  /** 派遣 → 改派 */
  redispatch: { mean: 20 * MINUTE, floor: 2 * MINUTE },
  /** 派遣 → 处置: a share of the SLA, capped */
  responseShareOfSla: 0.12,
  responseCap: 90 * MINUTE,
  responseFloor: 2 * MINUTE,
  /** total handling time from dispatch as a multiple of the SLA: log-normal, median 0.4, σ 0.7 → ~10 % overdue */
  handlingMedianShare: 0.4,
  handlingSigma: 0.7,
  handlingFloor: 5 * MINUTE,
  /** after the last department arrives, the case still takes this long to resolve */
  afterArrival: { mean: 30 * MINUTE, floor: 5 * MINUTE },
  /** 反馈 → 核查 */
  verify: { mean: 40 * MINUTE, floor: 5 * MINUTE },
  /** 返工: a failed verification's rework, as a share of the SLA */
  reworkShareOfSla: 0.2,
  /** 核查 → 结案 */
  close: { mean: 15 * MINUTE, floor: MINUTE },
  /** 结案 → 评价 (capped so the case is still in the reducer's live map) */
  rate: { mean: 3 * HOUR, floor: 5 * MINUTE, cap: 20 * HOUR },
  /**
   * 吹哨 → acknowledged, acknowledged → arrived; emergencies are faster. These hold under a whistle type's default
   * report limit (REPORT_LIMIT_MINUTES); a tighter limit scales them down in proportion, since departments hurry.
   */
  acknowledge: { mean: 6 * MINUTE, emergencyMean: 2 * MINUTE, floor: 30_000 },
  arrive: { mean: 22 * MINUTE, emergencyMean: 8 * MINUTE, floor: 3 * MINUTE },
  /** a department that misses the report limit arrives after it by an exponential draw of this share of the limit */
  lateArrivalShareOfLimit: 0.3,
  /** 督办 comes this long after the deadline passes, unless the case is resolved first */
  supervise: { shareOfSla: 0.1, floor: 10 * MINUTE },
} as const;

export const PROBABILITIES = {
  cancel: 0.05,
  redispatch: 0.04,
  verificationFails: 0.07,
  /** a second verification fails less often */
  verificationFailsAgain: 0.02,
  rated: 0.7,
  /** a summoned department that never arrives (the whistle stays active) */
  departmentNoShow: 0.03,
  /** a summoned department that arrives, but after the whistle's report limit (报到超时) */
  departmentLate: 0.05,
  /** a whistle that names its own, tighter report limit (NAMED_REPORT_LIMITS), as a written whistle order does */
  namedReportLimit: 0.3,
  /** an urgent case gets an explicit deadline of half its SLA */
  urgentExplicitDeadline: 0.8,
} as const;

/** The report limits, in minutes, that a whistle naming its own picks from, by type: tighter than the defaults. */
export const NAMED_REPORT_LIMITS: Readonly<Record<WhistleType, readonly number[]>> = {
  emergency: [15, 20],
  hard: [60, 90],
  routine: [240, 480, 720],
};

/** Satisfaction 1–5: most residents are satisfied (满意率 ≈ 83 %). */
export const SATISFACTION_WEIGHTS: ReadonlyArray<readonly [number, number]> = [
  [5, 55], [4, 28], [3, 9], [2, 5], [1, 3],
];
