/** Fired by <gw-case-actions> after the server accepted an action on a case, so the views that show it reload. */
export class CaseActedEvent extends Event {
  static readonly type = 'case-acted';
  constructor(
    readonly incidentId: string,
    readonly action: string,
  ) {
    super(CaseActedEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'case-acted': CaseActedEvent;
  }
}
