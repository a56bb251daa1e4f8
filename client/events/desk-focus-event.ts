/**
 * Fired by <gw-desk> whenever what it shows changes: the area in focus (null = the whole city), and the case whose
 * detail is open (its grid and WGS84 location). The wall zooms to the area, scopes its KPIs and ticker to it and
 * highlights the grid and the case on the map.
 */
export interface DeskFocus {
  area: string | null;
  incident: { id: string; grid: string; location: [number, number] } | null;
}

export class DeskFocusEvent extends Event {
  static readonly type = 'desk-focus';
  constructor(readonly focus: DeskFocus) {
    super(DeskFocusEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'desk-focus': DeskFocusEvent;
  }
}
