/**
 * The synthetic megacity: Beijing's 16 real district polygons with its real NBS streets and communities and ~100,000
 * synthetic grids. It exists for benchmarks and the distributed-mode scenario, is not committed, and is written to
 * `.cache/geodata/megacity/`.
 */
import type { CityConfig } from '../pipeline/city-config';

export const megacity: CityConfig = {
  id: 'megacity',
  name: '北京市',
  nameEn: 'Megacity (synthetic, on Beijing districts)',
  code: '110100',
  echartsFile: 'beijing.geojson',
  districts: ['东城区', '西城区', '朝阳区', '丰台区', '石景山区', '海淀区', '门头沟区', '房山区', '通州区', '顺义区',
    '昌平区', '大兴区', '怀柔区', '平谷区', '密云区', '延庆区'],
  gridTarget: 100_000,
  seed: 'megacity-2023',
  // 天安门
  core: [116.3912, 39.9066],
  density: { floor: 0.03, coreSigmaKm: 14, seatSigmaKm: 5, seatWeight: 0.5 },
  pointsPerGrid: 6,
  water: [],
  quantization: 1e6,
  zoom: 9,
  outDir: '.cache/geodata/megacity',
};
