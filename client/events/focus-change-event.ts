/** Fired by the KPI strip (its 在办 / 超期 tiles) and the legend (its category group) to change the map's focus. */
import type { MapFocus } from '../map/map-focus';

export class FocusChangeEvent extends Event {
  static readonly type = 'focus-change';
  /** the fields to change; a field left out keeps its value, null clears it */
  constructor(readonly change: Partial<MapFocus>) {
    super(FocusChangeEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'focus-change': FocusChangeEvent;
  }
}
