/**
 * The wall clock (Asia/Shanghai), ticking once a second while connected to the page; while playback is shown, the
 * playback instant instead (`at`), in the playback colour, so the header tells the time the map and panels show.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { clockDate, clockTime } from './format';
import { panelStyles } from './theme';

@customElement('gw-clock')
export class GwClock extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        text-align: right;
      }
      .time {
        font-size: 2.2em;
        font-weight: 700;
        line-height: 1;
        color: #f1f6ff;
      }
      .date {
        font-size: 0.9em;
        color: #8ea7cf;
        white-space: nowrap;
      }
      .playback .time,
      .playback .date {
        color: #c4a5ff;
      }
    `,
  ];

  /** server clock − local clock (ms), so the wall shows the server's time */
  @property({ type: Number }) skewMs = 0;
  /** the playback instant (epoch ms) while playback is shown; null: the live clock */
  @property({ type: Number }) at: number | null = null;
  @state() private now = Date.now();
  private timer: ReturnType<typeof setInterval> | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => (this.now = Date.now()), 1_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  override render() {
    if (this.at !== null && Number.isFinite(this.at)) {
      return html`<div class="playback" data-playback-time=${Math.round(this.at)}>
        <div class="time num">${clockTime(this.at)}</div>
        <div class="date">${clockDate(this.at)}</div>
      </div>`;
    }
    const now = this.now + this.skewMs;
    return html`<div class="time num">${clockTime(now)}</div>
      <div class="date">${clockDate(now)}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-clock': GwClock;
  }
}
