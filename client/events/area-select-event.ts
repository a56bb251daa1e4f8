/**
 * Asks the desk to open an area's panel (any level: district, street, community or grid), e.g. from a breadcrumb
 * step, a search hit or a map click. `city` closes the panel and shows the whole city.
 */
export class AreaSelectEvent extends Event {
  static readonly type = 'area-select';
  constructor(readonly code: string) {
    super(AreaSelectEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'area-select': AreaSelectEvent;
  }
}
