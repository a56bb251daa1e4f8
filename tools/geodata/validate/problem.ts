/**
 * What the validator reports. Every problem names the feature (its code, or its index when the code itself is
 * broken), the rule it breaks and, where the rule is geometric, a measured amount.
 */

/** The rules, one name each, so tests and tools can match on them. */
export const RULES = [
  'file', // a file is missing or not parseable
  'schema', // a required property is missing or of the wrong type
  'count', // city.json counts disagree with the package
  'code-format', // not digits, or the wrong length for its level
  'code-unique', // the same code twice
  'code-hierarchy', // the code does not start with its parent's, or the parent does not exist
  'crs-range', // coordinates outside the declared CRS's plausible range (swapped lat/lon)
  'geometry-crossing', // a ring crosses itself or another ring of the same polygon
  'geometry-degenerate', // a ring with fewer than 3 distinct vertices or no area
  'geometry-spike', // a ring runs back over itself (harmless to area, reported as a warning)
  'nesting', // a child lies partly outside its parent
  'overlap', // two siblings overlap
  'gap', // siblings leave part of their parent uncovered
  'point-outside', // a service centre or department lies outside its area
  'reference', // a service centre, department or staff list names an area that does not exist
] as const;
export type Rule = (typeof RULES)[number];

export interface Problem {
  rule: Rule;
  severity: 'error' | 'warning';
  /** what the feature is: a level (`grid`), `service-centre`, `department`, `city` or a file name */
  subject: string;
  /** the feature's code or id, or `#index` when it has none */
  ref: string;
  /** the whole sentence, ready to print */
  message: string;
  /** the measured amount, when the rule has one */
  amount?: { value: number; unit: 'm²' | 'm' | 'count' | '°' };
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const precise = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** `1,234 m²`, with decimals only for small amounts, so tiny slivers do not print as 0. */
export function formatArea(m2: number): string {
  return `${Math.abs(m2) < 10 ? precise.format(m2) : grouped.format(m2)} m²`;
}

export function formatMetres(m: number): string {
  return `${m < 10 ? precise.format(m) : grouped.format(m)} m`;
}

export function formatLonLat(lon: number, lat: number): string {
  return `${lon.toFixed(6)}, ${lat.toFixed(6)}`;
}

/** `grid 530102001001005`, or `grid #12` when the code is unknown. */
export function featureName(subject: string, ref: string): string {
  return `${subject} ${ref}`;
}

/** True when no problem is an error; warnings alone do not fail a package. */
export function isAcceptable(problems: readonly Problem[]): boolean {
  return problems.every((p) => p.severity !== 'error');
}
