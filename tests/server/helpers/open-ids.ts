/** The ids of a state's open cases, within an area (`city`: all), sorted: what the history tests compare. */
import { isOpenStatus, type CityState } from '../../../protocol/reducer';

export const openIds = (state: CityState, area = 'city'): string[] =>
  [...state.incidents.values()].filter((r) => isOpenStatus(r.status) && (area === 'city' || r.grid.startsWith(area))).map((r) => r.id).sort();
