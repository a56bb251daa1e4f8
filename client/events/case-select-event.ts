/** Asks the desk to open one case's detail (from the open-case list, the board or a search hit); null closes it. */
export class CaseSelectEvent extends Event {
  static readonly type = 'case-select';
  constructor(readonly incidentId: string | null) {
    super(CaseSelectEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'case-select': CaseSelectEvent;
  }
}
