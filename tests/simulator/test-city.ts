/**
 * A small synthetic city for simulator tests: 2 districts × 2 streets × 2 communities × 3 square grids near
 * Kunming, with departments at street, district and city level.
 */
import type { Position } from 'geojson';
import type { Area, DepartmentKind, DepartmentProperties } from '../../server/geodata/types';
import type { SimCity } from '../../server/simulator/city-model';

const SIZE = 0.004;

export function testCity(): SimCity {
  const grids: Area[] = [];
  const departments: Array<{ position: Position } & DepartmentProperties> = [];
  const areas = new Map<string, { name: string }>();
  const kinds: DepartmentKind[] = ['urban-management', 'public-security', 'housing', 'water', 'ecology-environment', 'market-supervision', 'judiciary', 'fire', 'health'];
  let column = 0;
  for (const district of ['530102', '530103']) {
    areas.set(district, { name: `区${district}` });
    departments.push(
      ...kinds.map((kind, k) => ({
        code: `${district}-${kind}`,
        name: `${district} ${kind}`,
        kind,
        level: 'district' as const,
        jurisdiction: district,
        position: [102.7 + column * SIZE + k * 0.0005, 25.05] as Position,
      })),
    );
    for (const s of ['001', '002']) {
      const street = district + s;
      areas.set(street, { name: `街道${s}` });
      departments.push(
        ...kinds.slice(0, 4).map((kind, k) => ({
          code: `${street}-${kind}`,
          name: `${street} ${kind}`,
          kind,
          level: 'street' as const,
          jurisdiction: street,
          position: [102.7 + column * SIZE + k * 0.0003, 25.04] as Position,
        })),
      );
      for (const c of ['001', '002']) {
        const community = street + c;
        areas.set(community, { name: `社区${c}` });
        for (let g = 0; g < 3; g++) {
          const west = 102.7 + column * SIZE;
          const south = 25.03 + g * SIZE;
          grids.push({
            code: `${community}00${g + 1}`,
            name: `第${g + 1}网格`,
            level: 'grid',
            parent: community,
            households: 300,
            population: 600 + 400 * g + 100 * column,
            geometry: { type: 'Polygon', coordinates: [[[west, south], [west + SIZE, south], [west + SIZE, south + SIZE], [west, south + SIZE], [west, south]]] },
            bbox: [west, south, west + SIZE, south + SIZE],
          });
        }
        column += 1;
      }
    }
  }
  departments.push(
    ...kinds.map((kind, k) => ({ code: `city-${kind}`, name: `市${kind}`, kind, level: 'city' as const, jurisdiction: 'city', position: [102.71 + k * 0.001, 25.06] as Position })),
  );
  return { meta: { code: '530100', name: '测试市' }, grids, departments, areas };
}
