/**
 * Code rules: format per level (DB11/T 2157: district 6 digits, +3 per level), uniqueness, and hierarchy (the parent
 * exists one level up and the child's code starts with it). Also the references from service centres, departments
 * and staff lists to areas, and city.json's counts.
 */
import { AREA_LEVELS, CODE_LENGTH, type AreaLevel } from '../../../server/geodata/types.js';
import type { Problem } from './problem.js';
import type { AreaFeature, PackageContents } from './read-package.js';

function problem(rule: Problem['rule'], subject: string, ref: string, message: string): Problem {
  return { rule, severity: 'error', subject, ref, message: `${subject} ${ref}: ${message}` };
}

const PARENT_LEVEL: Record<AreaLevel, AreaLevel | null> = { district: null, street: 'district', community: 'street', grid: 'community' };

/** Checks codes and references; returns the codes of every area that exists, by level. */
export function checkCodes(pkg: PackageContents, problems: Problem[]): Map<string, AreaFeature> {
  const byCode = new Map<string, AreaFeature>();
  for (const level of AREA_LEVELS) {
    for (const area of pkg.areas[level]) {
      if (area.code === undefined) continue;
      const length = CODE_LENGTH[level];
      if (!/^\d+$/.test(area.code)) problems.push(problem('code-format', level, area.ref, `code "${area.code}" must be digits only`));
      else if (area.code.length !== length)
        problems.push(problem('code-format', level, area.ref, `code has ${area.code.length} digits; a ${level} code has ${length}`));
      const first = byCode.get(area.code);
      if (first) {
        problems.push({
          ...problem('code-unique', level, area.ref, `code is used twice (${first.level} #${first.index} and ${level} #${area.index})`),
          amount: { value: 2, unit: 'count' },
        });
      } else byCode.set(area.code, area);
    }
  }
  const cityCode = pkg.meta?.code;
  for (const level of AREA_LEVELS) {
    const parentLevel = PARENT_LEVEL[level];
    for (const area of pkg.areas[level]) {
      if (area.code === undefined || area.parent === undefined) continue;
      if (parentLevel === null) {
        if (cityCode === undefined) continue;
        if (area.parent !== cityCode)
          problems.push(problem('code-hierarchy', level, area.ref, `parent "${area.parent}" is not the city's code ${cityCode}`));
        else if (!area.code.startsWith(cityCode.slice(0, 4)))
          problems.push(problem('code-hierarchy', level, area.ref, `code does not start with the city's prefix ${cityCode.slice(0, 4)}`));
        continue;
      }
      const parent = byCode.get(area.parent);
      if (!parent || parent.level !== parentLevel)
        problems.push(problem('code-hierarchy', level, area.ref, `parent ${parentLevel} ${area.parent} does not exist`));
      if (!area.code.startsWith(area.parent))
        problems.push(problem('code-hierarchy', level, area.ref, `code does not start with its parent's code ${area.parent}`));
    }
  }
  checkCounts(pkg, problems);
  checkReferences(pkg, byCode, problems);
  return byCode;
}

function checkCounts(pkg: PackageContents, problems: Problem[]): void {
  if (!pkg.meta) return;
  for (const level of AREA_LEVELS) {
    const declared = pkg.meta.counts[level];
    const actual = pkg.areas[level].length;
    if (declared !== actual)
      problems.push({
        rule: 'count',
        severity: 'error',
        subject: 'city',
        ref: 'city.json',
        message: `city.json: counts.${level} says ${declared}, the package has ${actual}`,
        amount: { value: actual - declared, unit: 'count' },
      });
  }
}

const SERVICE_CENTRE_AREA_LEVEL: Record<string, AreaLevel | 'city'> = {
  city: 'city',
  district: 'district',
  street: 'street',
  community: 'community',
  station: 'community',
};
const DEPARTMENT_AREA_LEVEL: Record<string, AreaLevel | 'city'> = { city: 'city', district: 'district', street: 'street' };

function checkReferences(pkg: PackageContents, byCode: Map<string, AreaFeature>, problems: Problem[]): void {
  const cityRefs = new Set(['city', pkg.meta?.code].filter((x): x is string => x !== undefined));
  const check = (subject: string, ref: string, field: string, area: string | undefined, level: string | undefined, table: Record<string, AreaLevel | 'city'>) => {
    if (area === undefined || level === undefined) return;
    const want = table[level];
    if (want === 'city') {
      if (!cityRefs.has(area)) problems.push(problem('reference', subject, ref, `${field} "${area}" must be the city ("city" or ${pkg.meta?.code ?? 'its code'}) for level ${level}`));
      return;
    }
    const target = byCode.get(area);
    if (!target) problems.push(problem('reference', subject, ref, `${field} ${area} is not an area of this package`));
    else if (target.level !== want) problems.push(problem('reference', subject, ref, `${field} ${area} is a ${target.level}; a ${level}-level one serves a ${want}`));
  };
  const seenCentres = new Set<string>();
  for (const sc of pkg.serviceCentres) {
    if (seenCentres.has(sc.ref)) problems.push(problem('code-unique', 'service-centre', sc.ref, 'id is used twice'));
    seenCentres.add(sc.ref);
    check('service-centre', sc.ref, 'area', sc.area, sc.level, SERVICE_CENTRE_AREA_LEVEL);
  }
  const seenDepartments = new Set<string>();
  for (const d of pkg.departments) {
    if (seenDepartments.has(d.ref)) problems.push(problem('code-unique', 'department', d.ref, 'code is used twice'));
    seenDepartments.add(d.ref);
    check('department', d.ref, 'jurisdiction', d.area, d.level, DEPARTMENT_AREA_LEVEL);
  }
  for (const gridCode of pkg.staffGridCodes) {
    const target = byCode.get(gridCode);
    if (!target || target.level !== 'grid') problems.push(problem('reference', 'staff', gridCode, 'staff.json lists staff for a grid that does not exist'));
  }
}
