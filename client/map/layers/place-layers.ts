/**
 * Static places: party-mass service centres by level with their 15-minute circles, and functional departments.
 * Their data never changes after load, so these layers cost nothing per frame.
 */
import { ScatterplotLayer } from '@deck.gl/layers';
import type { Department, ServiceCentre } from '../../geo/city-model';
import type { ServiceCentreLevel } from '../../../server/geodata/types';
import { UNDER_DISTRICT_LABELS, UNDER_LABELS } from './under-labels';

const CENTRE_RADIUS_PX: Record<ServiceCentreLevel, number> = { city: 11, district: 9, street: 6, community: 3.5, station: 2.5 };
const CENTRE_COLOUR: Record<ServiceCentreLevel, [number, number, number, number]> = {
  city: [255, 72, 72, 255],
  district: [255, 96, 96, 255],
  street: [248, 113, 113, 240],
  community: [252, 165, 165, 220],
  station: [254, 202, 202, 190],
};
const DEPARTMENT_RADIUS_PX = { city: 6, district: 4.5, street: 3 } as const;

export function serviceCentreLayer(centres: ServiceCentre[], scale: number, visible: boolean) {
  return new ScatterplotLayer<ServiceCentre>({
    id: 'service-centres',
    ...UNDER_DISTRICT_LABELS,
    data: centres,
    visible,
    radiusUnits: 'pixels',
    getPosition: (d) => d.position,
    getRadius: (d) => CENTRE_RADIUS_PX[d.level] * scale,
    getFillColor: (d) => CENTRE_COLOUR[d.level],
    stroked: true,
    getLineColor: [255, 215, 0, 255],
    lineWidthUnits: 'pixels',
    getLineWidth: (d) => (d.level === 'community' || d.level === 'station' ? 0.5 : 1.5) * scale,
    updateTriggers: { getRadius: scale, getLineWidth: scale },
    pickable: true,
  });
}

/** 15-minute circles: a metric radius, so they grow with zoom like the streets they cover. */
export function serviceCircleLayer(centres: ServiceCentre[], radiusM: number, visible: boolean) {
  return new ScatterplotLayer<ServiceCentre>({
    id: 'service-circles',
    ...UNDER_LABELS,
    data: centres,
    visible,
    radiusUnits: 'meters',
    getPosition: (d) => d.position,
    getRadius: radiusM,
    filled: true,
    getFillColor: [250, 204, 21, 14],
    stroked: true,
    getLineColor: [250, 204, 21, 90],
    lineWidthUnits: 'pixels',
    getLineWidth: 1,
  });
}

export function departmentLayer(departments: Department[], scale: number, visible: boolean) {
  return new ScatterplotLayer<Department>({
    id: 'departments',
    ...UNDER_DISTRICT_LABELS,
    data: departments,
    visible,
    radiusUnits: 'pixels',
    getPosition: (d) => d.position,
    getRadius: (d) => DEPARTMENT_RADIUS_PX[d.level] * scale,
    getFillColor: [15, 23, 42, 230],
    stroked: true,
    getLineColor: [125, 211, 252, 255],
    lineWidthUnits: 'pixels',
    getLineWidth: 1.5 * scale,
    updateTriggers: { getRadius: scale, getLineWidth: scale },
    pickable: true,
  });
}
