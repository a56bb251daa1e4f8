/** Hefei 蜀山区, the seed district of the 2012 grid reform: one district, its 12 street-level units and 85 communities. */
import type { CityConfig } from '../pipeline/city-config';

export const hefeiShushan: CityConfig = {
  id: 'hefei-shushan',
  name: '合肥市',
  nameEn: 'Hefei (Shushan District)',
  code: '340100',
  echartsFile: 'an1_hui1_he2_fei2.geojson',
  districts: ['蜀山区'],
  gridTarget: 1000,
  seed: 'hefei-shushan-2023',
  // 三里庵, the district's old commercial centre, near Hefei's core.
  core: [117.2600, 31.8540],
  density: { floor: 0.05, coreSigmaKm: 5, seatSigmaKm: 3, seatWeight: 0.4 },
  pointsPerGrid: 16,
  water: [],
  quantization: 1e5,
  zoom: 11,
  outDir: 'geodata/hefei-shushan',
};
