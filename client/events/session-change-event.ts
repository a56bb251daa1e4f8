import type { Officer } from '../desk/desk-api';

/** Fired by <gw-login> after a login or logout: the officer now logged in, or null (read-only). */
export class SessionChangeEvent extends Event {
  static readonly type = 'session-change';
  constructor(readonly officer: Officer | null) {
    super(SessionChangeEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'session-change': SessionChangeEvent;
  }
}
