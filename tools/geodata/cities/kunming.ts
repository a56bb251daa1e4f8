/** Kunming core: the five central districts, ~5,000 grids, with Dianchi masked. */
import type { CityConfig } from '../pipeline/city-config';

export const kunming: CityConfig = {
  id: 'kunming',
  name: '昆明市',
  nameEn: 'Kunming',
  code: '530100',
  echartsFile: 'yun2_nan2_kun1_ming2.geojson',
  districts: ['五华区', '盘龙区', '官渡区', '西山区', '呈贡区'],
  gridTarget: 5000,
  seed: 'kunming-2023',
  // 东风广场, the traditional centre.
  core: [102.7093, 25.0414],
  density: { floor: 0.04, coreSigmaKm: 6, seatSigmaKm: 3, seatWeight: 0.6 },
  pointsPerGrid: 16,
  water: [{
    name: '滇池 Dianchi',
    note: 'approximate outline (~300 km², lat 24.67–25.03, lon 102.61–102.78) drawn by hand; no offline lake polygon exists',
    ring: [
      [102.655, 25.030], [102.672, 25.024], [102.684, 25.006], [102.680, 24.988], [102.690, 24.972],
      [102.706, 24.962], [102.726, 24.950], [102.742, 24.928], [102.762, 24.908], [102.776, 24.890],
      [102.780, 24.860], [102.776, 24.822], [102.770, 24.782], [102.756, 24.742], [102.734, 24.702],
      [102.704, 24.672], [102.664, 24.670], [102.632, 24.684], [102.612, 24.704], [102.610, 24.742],
      [102.616, 24.790], [102.628, 24.836], [102.638, 24.880], [102.634, 24.928], [102.640, 24.962],
      [102.640, 25.000], [102.645, 25.024], [102.655, 25.030],
    ],
  }],
  quantization: 1e5,
  zoom: 10.5,
  outDir: 'geodata/kunming',
};
