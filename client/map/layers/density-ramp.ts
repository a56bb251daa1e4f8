/**
 * The wall's density ramp, low → high (dark teal → amber → red): the incidents' hexagon density layer and
 * playback's per-grid choropleth colour by the same scale, so red means "many cases" on both.
 */
export const DENSITY_RAMP: Array<[number, number, number]> = [
  [14, 60, 102],
  [22, 110, 150],
  [45, 160, 170],
  [245, 190, 60],
  [247, 130, 40],
  [239, 68, 68],
];
