/**
 * Synthetic people: households and population per grid, and each grid's staff roster. Nothing here is real. Names
 * are drawn from common surnames and given-name characters; phone numbers start with 100, which no Chinese mobile
 * number does, so they cannot reach anyone. Every staff member carries `synthetic: true`.
 */
import type { StaffMember } from '../../../server/geodata/types';
import type { SeededRandom } from './prng';

/** One grid worker serves about this many households (DESIGN.md). */
export const HOUSEHOLDS_PER_WORKER = 300;

// The most common surnames, listed roughly by frequency; the first ones are drawn more often.
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌兰宇浩凯婷雪琳欣佳俊鹏慧晨云志海梅成林国荣新春丹燕飞鑫晓亮宁阳博瑞思雨萱泽子涵怡轩'];

function surname(random: SeededRandom): string {
  // Squaring the uniform draw skews toward the head of the list, as real surname frequencies do.
  const u = random.next();
  return SURNAMES[Math.floor(u * u * SURNAMES.length)]!;
}

/** A synthetic full name: a common surname and one or two given-name characters. */
export function syntheticName(random: SeededRandom): string {
  const given = random.next() < 0.7 ? random.pick(GIVEN) + random.pick(GIVEN) : random.pick(GIVEN);
  return surname(random) + given;
}

/** A synthetic 11-digit number beginning 100 (not a valid Chinese mobile prefix). */
export function syntheticPhone(random: SeededRandom): string {
  let digits = '100';
  while (digits.length < 11) digits += String(random.int(10));
  return digits;
}

export interface GridPeople {
  workers: number;
  households: number;
  population: number;
  staff: StaffMember[];
}

/**
 * Households and staff of one grid.
 * @param density relative density at the grid, 0..1: dense grids get more workers, smaller households, more volunteers
 * @param village whether the grid lies in a village (村), where households are larger
 */
export function gridPeople(density: number, village: boolean, random: SeededRandom): GridPeople {
  const workers = density >= 0.7 ? 3 : density >= 0.3 ? 2 : 1;
  const households = Math.round(workers * HOUSEHOLDS_PER_WORKER * (0.8 + 0.4 * random.next()));
  const householdSize = (village ? 3.0 : 2.35) + 0.25 * random.next();
  const population = Math.round(households * householdSize);
  const volunteers = 2 + Math.round(density * 4) + random.int(3);
  const staff: StaffMember[] = [];
  const add = (role: StaffMember['role']) => staff.push({ role, name: syntheticName(random), phone: syntheticPhone(random), synthetic: true });
  add('secretary');
  add('head');
  for (let i = 0; i < workers; i++) add('worker');
  for (let i = 0; i < volunteers; i++) add('volunteer');
  return { workers, households, population, staff };
}
