/** Fired by the legend when a layer is switched on or off. */
import type { LayerKey } from '../map/layer-toggles';

export class LayerToggleEvent extends Event {
  static readonly type = 'layer-toggle';
  constructor(
    readonly layer: LayerKey,
    readonly visible: boolean,
  ) {
    super(LayerToggleEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'layer-toggle': LayerToggleEvent;
  }
}
