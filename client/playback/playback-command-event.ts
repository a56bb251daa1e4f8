/**
 * What the timeline bar asks playback to do. One typed event with a discriminated command, handled by the wall's
 * PlaybackController.
 */
import type { ChoroplethMetric } from '../map/layers/grid-choropleth';

export type PlaybackCommand =
  | { kind: 'open'; from: number; to: number }
  | { kind: 'play' }
  | { kind: 'pause' }
  | { kind: 'speed'; speed: number }
  | { kind: 'seek'; t: number }
  /** to the next event after t, or with `back` the last one before t (the range's start when there is none); pauses */
  | { kind: 'step'; back?: boolean }
  | { kind: 'loop'; loop: boolean }
  | { kind: 'cumulative'; cumulative: boolean }
  /** cumulative mode's per-grid choropleth (null: the heatmap) */
  | { kind: 'choropleth'; metric: ChoroplethMetric | null }
  | { kind: 'live' }
  | { kind: 'export-csv' }
  /** record [from, to] (epoch ms, inside the open range) at `speed` (range ms per real ms) */
  | { kind: 'export-webm'; from: number; to: number; speed: number }
  /** a PNG of the map and the KPIs at t */
  | { kind: 'export-png' }
  | { kind: 'export-cancel' };

export class PlaybackCommandEvent extends Event {
  static readonly type = 'gw-playback-command' as const;

  constructor(readonly command: PlaybackCommand) {
    super(PlaybackCommandEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'gw-playback-command': PlaybackCommandEvent;
  }
}
