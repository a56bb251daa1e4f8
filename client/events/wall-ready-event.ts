/**
 * Fired by <gw-wall> once the geodata layers are loaded, the first snapshot is applied and the map has drawn
 * (the same moment `document.documentElement.dataset.ready` becomes `'1'`).
 */
export class WallReadyEvent extends Event {
  static readonly type = 'wall-ready';
  constructor() {
    super(WallReadyEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'wall-ready': WallReadyEvent;
  }
}
