/**
 * The published catalogues: incident categories and reporting channels. Served by the server
 * (`GET /api/v1/catalogues`), used by ingest to check `category`/`channel`, by the reducer for SLA deadlines, by
 * the simulator, and by the client for labels and colours.
 *
 * Categories follow the city-management classification of GB/T 30428.2 (事件 groups 市容环境, 宣传广告, 施工管理,
 * 突发事件, 街面秩序, and 部件 facility defects), extended with the social-governance matters that grid workers
 * handle (邻里纠纷, 物业纠纷, 安全隐患, …). Codes are stable slugs; names are display text. `other` always exists in
 * both catalogues, so the smallest valid incident always validates.
 *
 * SLA hours are the time from dispatch (派遣) to resolution (反馈) before a case counts as overdue, in the spirit of
 * the 紧急/一般 tiers of city-management handling standards: emergencies in hours, ordinary matters in days.
 *
 * Pure data, no Node or DOM APIs: bundles into the browser.
 *
 * @example
 * ```ts
 * slaHoursFor('env.litter');    // 4
 * slaHoursFor('no-such-code');  // the SLA of `other`
 * isKnownCategory('other');     // true
 * ```
 */
import type { Crs } from './events';
import type { DepartmentKind } from '../server/geodata/types';

export type { DepartmentKind };

/** Category groups, in display order. */
export const CATEGORY_GROUPS = [
  { code: 'environment', name: '市容环境', nameEn: 'City appearance' },
  { code: 'advertising', name: '宣传广告', nameEn: 'Advertising' },
  { code: 'construction', name: '施工管理', nameEn: 'Construction' },
  { code: 'street-order', name: '街面秩序', nameEn: 'Street order' },
  { code: 'emergency', name: '突发事件', nameEn: 'Emergencies' },
  { code: 'facilities', name: '设施部件', nameEn: 'Public facilities' },
  { code: 'social', name: '社会治理', nameEn: 'Social governance' },
  { code: 'other', name: '其他', nameEn: 'Other' },
] as const;
export type CategoryGroup = (typeof CATEGORY_GROUPS)[number]['code'];

export interface Category {
  /** stable slug, sent on the wire */
  code: string;
  name: string;
  nameEn: string;
  group: CategoryGroup;
  /** hours from dispatch to resolution before the case is overdue */
  slaHours: number;
  /** department kinds that usually handle it, best first (the simulator summons these) */
  departmentKinds: DepartmentKind[];
}

const category = (
  code: string,
  name: string,
  nameEn: string,
  group: CategoryGroup,
  slaHours: number,
  departmentKinds: DepartmentKind[],
): Category => ({ code, name, nameEn, group, slaHours, departmentKinds });

/** Every category. Codes are unique; `other` is always present. */
export const CATEGORIES: ReadonlyArray<Category> = [
  // 市容环境 (GB/T 30428.2 事件大类 01)
  category('env.litter', '暴露垃圾', 'Exposed litter', 'environment', 4, ['urban-management']),
  category('env.waste-overflow', '垃圾满溢', 'Overflowing bins', 'environment', 4, ['urban-management']),
  category('env.sewage', '道路污水', 'Sewage on the road', 'environment', 8, ['water', 'urban-management']),
  category('env.dumping', '乱倒垃圾', 'Illegal dumping', 'environment', 24, ['urban-management', 'ecology-environment']),
  category('env.burning', '露天焚烧', 'Open burning', 'environment', 2, ['ecology-environment', 'fire']),
  category('env.noise', '噪声扰民', 'Noise nuisance', 'environment', 24, ['ecology-environment', 'public-security']),
  category('env.fumes', '餐饮油烟', 'Restaurant fumes', 'environment', 72, ['ecology-environment', 'market-supervision']),
  // 宣传广告 (02)
  category('ad.illegal-posting', '非法小广告', 'Illegal flyers', 'advertising', 24, ['urban-management']),
  category('ad.unlicensed-sign', '违规户外广告', 'Unlicensed outdoor sign', 'advertising', 120, ['urban-management']),
  category('ad.banner', '占道广告牌', 'Banner blocking the way', 'advertising', 24, ['urban-management']),
  // 施工管理 (03)
  category('build.night-work', '违规夜间施工', 'Night construction', 'construction', 4, ['housing', 'ecology-environment']),
  category('build.dust', '施工扬尘', 'Construction dust', 'construction', 8, ['ecology-environment', 'housing']),
  category('build.illegal', '违法建设', 'Illegal building', 'construction', 168, ['urban-management', 'housing']),
  category('build.muck-truck', '渣土车撒漏', 'Spilling muck truck', 'construction', 4, ['urban-management']),
  // 街面秩序 (04)
  category('order.street-vending', '无照经营游商', 'Street vending', 'street-order', 4, ['urban-management', 'market-supervision']),
  category('order.shop-overflow', '店外经营', 'Shop spilling onto pavement', 'street-order', 8, ['urban-management']),
  category('order.parking', '违章停车', 'Illegal parking', 'street-order', 2, ['public-security']),
  category('order.shared-bikes', '共享单车乱停放', 'Cluttered shared bikes', 'street-order', 8, ['urban-management']),
  // 突发事件 (05)
  category('emergency.waterlogging', '道路积水', 'Waterlogging', 'emergency', 2, ['water', 'urban-management']),
  category('emergency.pipe-burst', '供水管爆裂', 'Burst water main', 'emergency', 2, ['water']),
  category('emergency.gas-leak', '燃气泄漏', 'Gas leak', 'emergency', 1, ['fire', 'housing']),
  category('emergency.fire', '火情', 'Fire', 'emergency', 1, ['fire', 'public-security']),
  category('emergency.collapse', '路面塌陷', 'Road collapse', 'emergency', 2, ['housing', 'public-security']),
  // 设施部件 (部件: 公用设施, 道路交通, 园林绿化)
  category('facility.manhole', '井盖缺损', 'Missing manhole cover', 'facilities', 4, ['water', 'urban-management']),
  category('facility.streetlight', '路灯不亮', 'Street light out', 'facilities', 48, ['urban-management']),
  category('facility.road-damage', '道路破损', 'Damaged road', 'facilities', 72, ['housing', 'urban-management']),
  category('facility.greenery', '绿化破坏', 'Damaged greenery', 'facilities', 72, ['urban-management']),
  category('facility.traffic-sign', '交通标志损坏', 'Damaged traffic sign', 'facilities', 48, ['public-security']),
  // 社会治理 (grid-governance extensions)
  category('social.neighbour-dispute', '邻里纠纷', 'Neighbour dispute', 'social', 72, ['judiciary', 'public-security']),
  category('social.property-dispute', '物业纠纷', 'Property management dispute', 'social', 120, ['housing', 'judiciary']),
  category('social.wage-arrears', '劳资纠纷', 'Unpaid wages', 'social', 120, ['judiciary', 'market-supervision']),
  category('social.safety-hazard', '安全隐患', 'Safety hazard', 'social', 24, ['fire', 'housing']),
  category('social.food-safety', '食品安全', 'Food safety', 'social', 24, ['market-supervision', 'health']),
  category('social.public-health', '公共卫生', 'Public health', 'social', 24, ['health']),
  category('social.vulnerable-care', '困难群众帮扶', 'Help for people in need', 'social', 72, ['health', 'judiciary']),
  category('social.security', '治安问题', 'Public order', 'social', 8, ['public-security']),
  category('other', '其他', 'Other', 'other', 72, ['urban-management']),
];

/** Reporting channels (来源). `crs` is the coordinate system the channel typically sends. */
export interface Channel {
  code: string;
  name: string;
  nameEn: string;
  crs: Crs;
}

export const CHANNELS: ReadonlyArray<Channel> = [
  // Most 12345 hotline platforms geocode addresses with Baidu, hence BD-09.
  { code: 'hotline-12345', name: '12345热线', nameEn: '12345 hotline', crs: 'bd09' },
  // Grid workers' patrol apps record raw GNSS fixes.
  { code: 'grid-patrol', name: '网格员巡查', nameEn: 'Grid patrol', crs: 'wgs84' },
  // WeChat mini-programs get positions from wx.getLocation / Tencent maps: GCJ-02.
  { code: 'mini-program', name: '随手拍小程序', nameEn: 'Mini-program', crs: 'gcj02' },
  // Camera positions are surveyed on Tianditu: CGCS2000.
  { code: 'video-analytics', name: '视频智能识别', nameEn: 'Video analytics', crs: 'cgcs2000' },
  { code: 'sensor', name: '物联感知', nameEn: 'Sensor', crs: 'wgs84' },
  // Cases handed down by a higher-level platform (上级交办) arrive geocoded on AMap: GCJ-02.
  { code: 'assigned', name: '上级交办', nameEn: 'Assigned from above', crs: 'gcj02' },
  { code: 'other', name: '其他', nameEn: 'Other', crs: 'wgs84' },
];

const categoryByCode = new Map(CATEGORIES.map((c) => [c.code, c]));
const channelByCode = new Map(CHANNELS.map((c) => [c.code, c]));
const OTHER_CATEGORY = categoryByCode.get('other') as Category;
const GROUP_INDEX = new Map<string, number>(CATEGORY_GROUPS.map((g, i) => [g.code, i]));

/**
 * The index in CATEGORY_GROUPS of a category's group; an unknown category counts as `other`, as its SLA does (the
 * history columns carry it, and the wall's focus filters on it).
 */
export function categoryGroupIndex(category: string): number {
  return GROUP_INDEX.get((categoryByCode.get(category) ?? OTHER_CATEGORY).group) as number;
}

/** The category with this code, or undefined. */
export function categoryOf(code: string): Category | undefined {
  return categoryByCode.get(code);
}

/** The channel with this code, or undefined. */
export function channelOf(code: string): Channel | undefined {
  return channelByCode.get(code);
}

export function isKnownCategory(code: string): boolean {
  return categoryByCode.has(code);
}

export function isKnownChannel(code: string): boolean {
  return channelByCode.has(code);
}

/**
 * Hours from dispatch to the deadline for a category. An unknown code gets the SLA of `other`, so that the reducer
 * never fails on a category that ingest accepted under an older catalogue.
 */
export function slaHoursFor(category: string): number {
  return (categoryByCode.get(category) ?? OTHER_CATEGORY).slaHours;
}
