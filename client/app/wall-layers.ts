/**
 * Assembles the deck.gl layer list for one frame from the live model. Layer descriptions are cheap: ids and `data`
 * references are stable, so deck.gl diffs props and re-uploads only what a version trigger says changed.
 */
import type { Layer } from '@deck.gl/core';
import type { IncidentRecord } from '../../protocol/reducer';
import type { LiveModel } from '../live/live-model';
import type { LayerToggles } from '../map/layer-toggles';
import type { CoordinateShift } from '../geo/basemap-shift';
import { coverageGapLayer, gridLoadLayer } from '../map/layers/grid-layers';
import { incidentDensityLayer, incidentPointLayer, overdueHaloLayer, pulseLayer } from '../map/layers/incident-layers';
import { departmentLayer, serviceCentreLayer, serviceCircleLayer } from '../map/layers/place-layers';
import { whistleLayers, whistleLegs, type WhistleLeg } from '../map/layers/whistle-layers';
import { focusActive, focusKey, inFocus, inFocusGroup, NO_FOCUS, type MapFocus } from '../map/map-focus';

export interface FrameInput {
  model: LiveModel;
  toggles: LayerToggles;
  zoom: number;
  /** pixel scale of the wall (viewport height / 1080) */
  scale: number;
  /** performance.now() of the frame */
  frameTime: number;
  /** the throttled grid-load version (colours recompute when it moves) */
  gridVersion: number;
  /** the map's focus (map-focus.ts): only the cases in it are drawn, with their halos, pulses and whistle arcs */
  focus?: MapFocus;
}

const DENSITY_EVERY_MS = 2_000;

/** Caches what is derived from slowly changing model parts, keyed by their versions. */
export class WallLayers {
  private legsVersion = -1;
  private legsFocus = '';
  private overdueFocus = '';
  private legs: { pending: WhistleLeg[]; arrived: WhistleLeg[] } = { pending: [], arrived: [] };
  private overdueVersion = -1;
  private overdueList: IncidentRecord[] = [];
  /** density hexagons re-aggregate at most every DENSITY_EVERY_MS, from a stable data object */
  private densityData = { length: 0 };
  private densityVersion = 0;
  private densitySource = -1;
  private densityAt = -Infinity;

  constructor(private readonly shift: CoordinateShift) {}

  build(input: FrameInput): Layer[] {
    const { model, toggles, zoom, scale, frameTime } = input;
    const focus = input.focus ?? NO_FOCUS;
    const focused = focusActive(focus);
    const key = focusKey(focus);
    // A case's overdue state moves with the grid version, so a state focus rebuilds the arcs with it too.
    if (model.whistleVersion !== this.legsVersion || key !== this.legsFocus || (focus.state !== null && input.gridVersion !== this.overdueVersion)) {
      const whistles = focused ? model.whistles.filter((w) => inFocus(focus, w.incident, model.overdue.has(w.incident.id))) : model.whistles;
      const all = whistleLegs(whistles);
      this.legs = { pending: all.filter((l) => !l.arrived), arrived: all.filter((l) => l.arrived) };
      this.legsVersion = model.whistleVersion;
      this.legsFocus = key;
    }
    if (input.gridVersion !== this.overdueVersion || key !== this.overdueFocus) {
      this.overdueList = [];
      for (const record of model.state.unresolved.values()) if (model.overdue.has(record.id) && inFocusGroup(focus, record.category)) this.overdueList.push(record);
      this.overdueVersion = input.gridVersion;
      this.overdueFocus = key;
    }
    const pulses = focused ? model.pulses.filter((p) => inFocus(focus, { category: p.category, status: 'reported' }, false)) : model.pulses;
    if (model.buffers.version !== this.densitySource && frameTime - this.densityAt >= DENSITY_EVERY_MS) {
      this.densityData = { length: model.buffers.attributes().length };
      this.densityVersion += 1;
      this.densitySource = model.buffers.version;
      this.densityAt = frameTime;
    }
    const city = model.city;
    const position = (r: IncidentRecord) => this.shift(r.location[0], r.location[1]);
    return [
      gridLoadLayer(model, input.gridVersion, toggles.gridLoad),
      coverageGapLayer(city.coverage.gapParts, toggles.coverageGaps),
      serviceCircleLayer(city.serviceCentres, city.coverage.radiusM, toggles.serviceCircles),
      incidentDensityLayer(model, this.densityData, this.densityVersion, zoom, toggles.hexagons && toggles.incidents, focus),
      departmentLayer(city.departments, scale, toggles.departments),
      serviceCentreLayer(city.serviceCentres, scale, toggles.serviceCentres),
      ...whistleLayers(this.legs, this.legsVersion, frameTime, scale, toggles.whistles),
      incidentPointLayer(model, scale, zoom, toggles.incidents, focus),
      overdueHaloLayer(this.overdueList, position, frameTime, scale, toggles.incidents),
      pulseLayer(pulses, frameTime, scale, toggles.incidents),
    ] as Layer[];
  }
}
