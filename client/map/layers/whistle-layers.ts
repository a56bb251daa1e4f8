/**
 * Whistles (吹哨) as curved legs from the whistling unit (the service centre of the tier) to each summoned department,
 * coloured by tier. While a department has not arrived its arc flows (a TripsLayer comet running along the curve);
 * once it reports (报到, arrived) the arc turns solid. The paths are rebuilt only when the whistle list changes;
 * the flow is the layer's `currentTime`. Solid and flowing legs follow the same bowed curve.
 */
import { PathLayer } from '@deck.gl/layers';
import { TripsLayer } from '@deck.gl/geo-layers';
import type { ActiveWhistle } from '../../live/live-model';
import { TIER_COLOURS, type Rgba } from '../../live/incident-style';
import { UNDER_DISTRICT_LABELS } from './under-labels';

export interface WhistleLeg {
  key: string;
  source: [number, number];
  target: [number, number];
  colour: Rgba;
  arrived: boolean;
  emergency: boolean;
  path: Array<[number, number]>;
  timestamps: number[];
}

const SEGMENTS = 24;
/** seconds of the flow loop */
export const FLOW_LOOP = 2;

/** A bowed 2D curve between two points (quadratic Bézier), so that legs sharing an origin fan out visibly. */
export function curve(source: [number, number], target: [number, number]): Array<[number, number]> {
  const [x0, y0] = source;
  const [x1, y1] = target;
  const mx = (x0 + x1) / 2, my = (y0 + y1) / 2;
  const dx = x1 - x0, dy = y1 - y0;
  const cx = mx - dy * 0.25, cy = my + dx * 0.25;
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= SEGMENTS; i++) {
    const t = i / SEGMENTS;
    const a = (1 - t) * (1 - t), b = 2 * (1 - t) * t, c = t * t;
    points.push([a * x0 + b * cx + c * x1, a * y0 + b * cy + c * y1]);
  }
  return points;
}

export function whistleLegs(whistles: ActiveWhistle[]): WhistleLeg[] {
  const legs: WhistleLeg[] = [];
  for (const w of whistles) {
    for (const target of w.targets) {
      const path = curve(w.source, target.position);
      legs.push({
        key: `${w.key}/${target.department}`,
        source: w.source,
        target: target.position,
        colour: TIER_COLOURS[w.whistle.tier],
        arrived: target.arrived,
        emergency: w.whistle.type === 'emergency',
        path,
        timestamps: path.map((_, i) => (i / SEGMENTS) * FLOW_LOOP),
      });
    }
  }
  return legs;
}

export function whistleLayers(legs: { pending: WhistleLeg[]; arrived: WhistleLeg[] }, version: number, frameTime: number, scale: number, visible: boolean) {
  const width = (d: WhistleLeg) => (d.emergency ? 4 : 2.5) * scale;
  return [
    new PathLayer<WhistleLeg>({
      id: 'whistle-arcs-faint',
      ...UNDER_DISTRICT_LABELS,
      data: legs.pending,
      visible,
      getPath: (d) => d.path,
      getColor: (d) => [d.colour[0], d.colour[1], d.colour[2], 80],
      getWidth: 1.2 * scale,
      widthUnits: 'pixels',
      updateTriggers: { getWidth: scale },
    }),
    new TripsLayer<WhistleLeg>({
      id: 'whistle-flow',
      ...UNDER_DISTRICT_LABELS,
      data: legs.pending,
      visible,
      getPath: (d) => d.path,
      getTimestamps: (d) => d.timestamps,
      getColor: (d) => [d.colour[0], d.colour[1], d.colour[2], 255],
      widthUnits: 'pixels',
      getWidth: width,
      capRounded: true,
      jointRounded: true,
      trailLength: FLOW_LOOP * 0.45,
      currentTime: frameTime === 0 ? FLOW_LOOP * 0.7 : (frameTime / 1000) % (FLOW_LOOP * 1.2),
      fadeTrail: true,
      updateTriggers: { getWidth: [scale, version] },
    }),
    new PathLayer<WhistleLeg>({
      id: 'whistle-arcs-arrived',
      ...UNDER_DISTRICT_LABELS,
      data: legs.arrived,
      visible,
      getPath: (d) => d.path,
      getColor: (d) => d.colour,
      getWidth: width,
      widthUnits: 'pixels',
      capRounded: true,
      updateTriggers: { getWidth: scale },
    }),
  ];
}
