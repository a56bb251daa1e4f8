/**
 * Connection state: live, reconnecting, or stale since hh:mm:ss (the time the link was lost); or, while a playback
 * range is shown, "playback", so that nobody glancing at the wall (or at a recording of it) takes a past instant for
 * the live city. When the server refused the socket's credentials, the badge names the fault instead ('Token
 * refused'), with what to do, and since when it is stale, on hover.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { t } from '../i18n/index';
import type { ConnectionState, LiveRefusal } from '../live/live-socket-controller';
import { connectionRefusalLabel, connectionRefusalText } from './connection-refusal';
import { clockTime } from './format';
import { panelStyles } from './theme';

@customElement('gw-connection-badge')
export class GwConnectionBadge extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .badge {
        display: inline-flex;
        align-items: center;
        gap: 0.45em;
        padding: 0.25em 0.8em;
        border-radius: 1em;
        font-size: 1em;
        white-space: nowrap;
        border: 1px solid currentColor;
      }
      .dot {
        width: 0.65em;
        height: 0.65em;
        border-radius: 50%;
        background: currentColor;
      }
      .live {
        color: #34d399;
      }
      .live .dot {
        animation: beat 1.6s ease-in-out infinite;
      }
      .connecting,
      .reconnecting {
        color: #f6c453;
      }
      .reconnecting .dot {
        animation: beat 0.6s ease-in-out infinite;
      }
      .stale {
        color: #ff5a5a;
        background: rgba(255, 60, 60, 0.12);
      }
      .playback {
        color: #c4a5ff;
        background: rgba(160, 120, 255, 0.14);
      }
      @keyframes beat {
        50% {
          opacity: 0.25;
        }
      }
    `,
  ];

  @property() state: ConnectionState = 'connecting';
  /** epoch ms the connection was lost */
  @property({ type: Number }) since: number | null = null;
  /** A playback range is shown: the badge says so, whatever the live link's state. */
  @property({ type: Boolean }) playback = false;
  /** Why the server refuses the feed (credentials or area), while it is not live (LiveSocketController.refusedFor). */
  @property() refusedFor: LiveRefusal | null = null;

  override render() {
    const label =
      this.state === 'stale' ? t('conn.stale', { since: this.since === null ? '' : clockTime(this.since) }) : t(`conn.${this.state}`);
    // In playback the live link's state stays readable on hover: the live feed still comes in behind the range.
    if (this.playback) {
      return html`<span class="badge playback" data-state="playback" title=${label}><span class="dot"></span>${t('conn.playback')}</span>`;
    }
    // Refused credentials: the badge names the fault (across a room), the tooltip says what to do and since when.
    if (this.state !== 'live' && this.refusedFor !== null) {
      const title = `${connectionRefusalText(this.refusedFor)}${this.state === 'stale' ? ` (${label})` : ''}`;
      return html`<span class="badge ${this.state}" data-state=${this.state} data-refused=${this.refusedFor} title=${title}><span class="dot"></span>${connectionRefusalLabel(this.refusedFor)}</span>`;
    }
    return html`<span class="badge ${this.state}" data-state=${this.state}><span class="dot"></span>${label}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-connection-badge': GwConnectionBadge;
  }
}
