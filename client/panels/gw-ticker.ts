/**
 * The rolling ticker of the latest events, in type large enough to read from across the room. The newest entry
 * slides in at the top; entries are keyed by seq so Lit moves rows instead of re-rendering them. A row of another day
 * than the wall's (a quiet area's view topped up with its cases' latest states, which may be days old) carries its
 * date under its time, so that the list never seems to run out of order.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { CityModel } from '../geo/city-model';
import { t } from '../i18n/index';
import type { TickerEntry } from '../live/live-model';
import { STATUS_COLOURS, TIER_COLOURS, cssColour, type Rgba } from '../live/incident-style';
import { caseLinkStyles, caseTitle, openCaseOnClick } from './case-link';
import { shanghaiDay } from '../../protocol/time';
import { categoryName, clockDateTime, clockTime, eventLabel, placeName } from './format';
import { listPanelStyles } from './list-panel-styles';
import { styleProps } from './style-props';
import { panelStyles } from './theme';

const ENDED_TEXT: Rgba = [160, 174, 196, 255];

@customElement('gw-ticker')
export class GwTicker extends LitElement {
  static override styles = [
    panelStyles,
    listPanelStyles,
    caseLinkStyles,
    css`
      ol {
        mask-image: linear-gradient(180deg, #000 80%, transparent);
      }
      li {
        display: grid;
        grid-template-columns: auto auto minmax(0, 1fr);
        grid-template-rows: auto auto;
        column-gap: 0.6em;
        padding: 0.45em 0;
        border-bottom: 1px solid rgba(80, 140, 220, 0.16);
        font-size: 1.15em;
      }
      :host([motion]) li {
        animation: slide-in 1.6s ease-out;
      }
      /* a glow, not a movement: a row stays in place and readable even if a slow wall never plays the animation */
      @keyframes slide-in {
        from {
          background: rgba(96, 165, 250, 0.35);
        }
      }
      .time {
        color: #7f97bd;
        font-size: 0.85em;
        align-self: center;
      }
      .what {
        font-weight: 700;
        white-space: nowrap;
        padding: 0 0.4em;
        border-radius: 0.25em;
        background: rgba(255, 255, 255, 0.05);
      }
      .category {
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
        color: #eaf2ff;
      }
      .place {
        grid-column: 2 / 4;
        grid-row: 2;
      }
      .date {
        grid-column: 1;
        grid-row: 2;
        color: #7f97bd;
        font-size: 0.75em;
        align-self: center;
      }
    `,
  ];

  @property({ attribute: false }) entries: TickerEntry[] = [];
  @property({ attribute: false }) city: CityModel | null = null;
  /** play the arrival glow (off: still walls and screenshots) */
  @property({ type: Boolean, reflect: true }) motion = false;
  /** how many rows fit; the wall passes more on tall screens */
  @property({ type: Number }) rows = 12;
  /** the wall's city day (protocol/time.ts `shanghaiDay` of its clock, or of playback's instant): rows of other days show their date */
  @property({ type: Number }) day = Number.NaN;
  /** rows open their case on the desk (off on a kiosk wall, which has none) */
  @property({ type: Boolean, reflect: true }) interactive = false;
  /** the name of the category group the rows keep to (the map's focus), or null for every case */
  @property({ attribute: false }) group: string | null = null;

  override render() {
    const city = this.city;
    const shown = this.entries.slice(0, this.rows);
    return html`<section class="panel">
      <h2>${t('ticker.title')}${this.group === null ? '' : html`<span class="group" data-group>· ${this.group}</span>`}</h2>
      ${shown.length === 0 ? html`<div class="empty">${this.group === null ? t('ticker.empty') : t('ticker.emptyIn', { group: this.group })}</div>` : ''}
      <ol>
        ${repeat(
          shown,
          (entry) => entry.seq,
          (entry) => {
            const event = entry.event;
            const status = entry.incident.status;
            // ended cases are dim on the map; in the ticker they must still be readable
            const colour =
              event?.type === 'incident.whistled'
                ? TIER_COLOURS[event.tier]
                : status === 'closed' || status === 'cancelled'
                  ? ENDED_TEXT
                  : STATUS_COLOURS[status];
            return html`<li data-seq=${entry.seq} data-incident=${entry.incident.id} data-grid=${entry.incident.grid} data-category=${entry.incident.category} data-type=${event?.type ?? 'snapshot'} data-status=${status} @click=${openCaseOnClick(this, entry.incident.id)}>
              <span class="time num">${clockTime(entry.at)}</span>
              ${Number.isNaN(this.day) || shanghaiDay(entry.at) === this.day ? '' : html`<span class="date num" data-date>${clockDateTime(entry.at).slice(5, 10)}</span>`}
              <span class="what" style=${styleProps({ color: cssColour(colour) })}>${event ? eventLabel(event) : t(`status.${entry.incident.status}`)}</span>
              ${caseTitle(entry.incident.title ?? categoryName(entry.incident.category), this.interactive, 'category')}
              <span class="place">${city ? placeName(city, entry.incident.grid) : entry.incident.grid}</span>
            </li>`;
          },
        )}
      </ol>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-ticker': GwTicker;
  }
}
