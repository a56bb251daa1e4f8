/**
 * Incidents: points from the patched-in-place GPU columns (IncidentBuffers), a pulse ring on new cases, a blinking
 * halo on overdue ones, and at low zoom a hexagon density layer so that 100k cases stay readable.
 *
 * Animation is done with layer-level props (radius scale, opacity) wherever possible, so a frame of motion does not
 * touch per-incident data.
 */
import { HexagonLayer } from '@deck.gl/aggregation-layers';
import { DataFilterExtension } from '@deck.gl/extensions';
import { ScatterplotLayer } from '@deck.gl/layers';
import type { IncidentRecord } from '../../../protocol/reducer';
import type { LiveModel, NewIncidentPulse } from '../../live/live-model';
import { DENSITY_RAMP } from './density-ramp';
import { focusActive, focusKey, focusRanges, type MapFocus } from '../map-focus';
import { UNDER_DISTRICT_LABELS, UNDER_LABELS } from './under-labels';

/**
 * Below this zoom incidents are drawn as density hexagons and points fade in above it. The more cases, the further
 * in the switch happens: a few thousand points read fine at city scale, 100k do not.
 */
export function densityMaxZoom(liveCases: number): number {
  return liveCases > 20_000 ? 12 : liveCases > 5_000 ? 10.5 : 9;
}
const PULSE_PERIOD_MS = 1_600;
const BLINK_PERIOD_MS = 1_000;
/** The focus filter over [group index, state code] (one instance, so the layer rebuilt each frame keeps it). */
const FOCUS_FILTER = new DataFilterExtension({ filterSize: 2 });

/**
 * The case points; a focus hides the cases out of it on the GPU (its ranges are uniforms: moving between foci
 * uploads nothing; the first focus compiles the filter's shader once).
 */
export function incidentPointLayer(model: LiveModel, scale: number, zoom: number, visible: boolean, focus: MapFocus) {
  const data = model.buffers.attributes();
  const fadeFrom = densityMaxZoom(model.buffers.size) - 1;
  return new ScatterplotLayer({
    id: 'incidents',
    ...UNDER_DISTRICT_LABELS,
    data,
    visible: visible && zoom >= fadeFrom,
    radiusUnits: 'pixels',
    radiusScale: scale * (zoom >= 14 ? 1.6 : zoom >= 12.5 ? 1.25 : zoom >= 10 ? 1 : 0.65),
    stroked: true,
    getLineColor: [6, 11, 22, 220],
    lineWidthUnits: 'pixels',
    getLineWidth: 0.75,
    opacity: Math.min(1, Math.max(0.05, zoom - fadeFrom)),
    // Only while a focus holds, so a wall with no focus draws exactly as it did without the filter.
    ...(focusActive(focus) ? { extensions: [FOCUS_FILTER], filterRange: focusRanges(focus) } : {}),
  } as never);
}

/** The density hexagons at low zoom: open cases summed per hexagon, only those in focus when there is one. */
export function incidentDensityLayer(model: LiveModel, data: { length: number }, densityVersion: number, zoom: number, visible: boolean, focus: MapFocus) {
  const switchZoom = densityMaxZoom(model.buffers.size);
  const buffers = model.buffers;
  return new HexagonLayer<unknown>({
    id: 'incident-density',
    ...UNDER_LABELS,
    // Accessors over the slot columns (the aggregation layer reads positions through its own attribute). The
    // trigger is the throttled version, and only while the layer is visible, so zoomed in it costs nothing.
    data,
    getPosition: (_: unknown, { index, target }: { index: number; target: number[] }) => buffers.positionAt(index, target) as [number, number],
    getColorWeight: (_: unknown, { index }: { index: number }) => buffers.weightAt(index, focus),
    visible: visible && zoom < switchZoom,
    gpuAggregation: true,
    radius: 1_200,
    coverage: 0.9,
    extruded: false,
    colorAggregation: 'SUM',
    colorRange: DENSITY_RAMP,
    opacity: Math.min(0.8, Math.max(0.05, (switchZoom - zoom) * 0.8)),
    pickable: false,
    updateTriggers: { getPosition: densityVersion, getColorWeight: `${densityVersion} ${focusKey(focus)}` },
  });
}

/** Expanding rings on cases reported in the last few seconds (a still ring when frameTime is 0: motion off). */
export function pulseLayer(pulses: NewIncidentPulse[], frameTime: number, scale: number, visible: boolean) {
  const phaseOf = (d: NewIncidentPulse) => (frameTime === 0 ? 0.35 : (((frameTime - d.bornAt) % PULSE_PERIOD_MS) + PULSE_PERIOD_MS) % PULSE_PERIOD_MS / PULSE_PERIOD_MS);
  return new ScatterplotLayer<NewIncidentPulse>({
    id: 'incident-pulses',
    ...UNDER_DISTRICT_LABELS,
    data: pulses,
    visible,
    radiusUnits: 'pixels',
    getPosition: (d) => d.position,
    getRadius: (d) => (6 + 22 * phaseOf(d)) * scale * (d.urgent ? 1.5 : 1),
    filled: false,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 2 * scale,
    getLineColor: (d) => {
      const phase = phaseOf(d);
      return d.urgent ? [244, 63, 94, Math.round(255 * (1 - phase))] : [125, 211, 252, Math.round(255 * (1 - phase))];
    },
    updateTriggers: { getRadius: frameTime, getLineColor: frameTime },
  });
}

/** Red halos on overdue cases; the blink is the layer's opacity, so blinking costs no data work. */
export function overdueHaloLayer(overdue: IncidentRecord[], position: (r: IncidentRecord) => [number, number], frameTime: number, scale: number, visible: boolean) {
  const phase = frameTime === 0 ? 0 : (frameTime % BLINK_PERIOD_MS) / BLINK_PERIOD_MS;
  return new ScatterplotLayer<IncidentRecord>({
    id: 'incident-overdue',
    ...UNDER_DISTRICT_LABELS,
    data: overdue,
    visible,
    radiusUnits: 'pixels',
    getPosition: position,
    getRadius: 9 * scale,
    filled: true,
    getFillColor: [239, 68, 68, 60],
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 1.5 * scale,
    getLineColor: [248, 113, 113, 255],
    opacity: 0.25 + 0.75 * (phase < 0.5 ? 1 : 0),
    updateTriggers: { getRadius: scale, getLineWidth: scale },
  });
}
