/**
 * What the timeline bar asks playback to do. One typed event with a discriminated command, handled by the wall's
 * PlaybackController.
 */
export type PlaybackCommand =
  | { kind: 'open'; from: number; to: number }
  | { kind: 'play' }
  | { kind: 'pause' }
  | { kind: 'speed'; speed: number }
  | { kind: 'seek'; t: number }
  | { kind: 'step' }
  | { kind: 'loop'; loop: boolean }
  | { kind: 'cumulative'; cumulative: boolean }
  | { kind: 'live' }
  | { kind: 'export-csv' }
  | { kind: 'export-webm' };

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
