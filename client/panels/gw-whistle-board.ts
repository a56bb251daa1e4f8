/**
 * The whistle board (吹哨报到): every active whistle with its tier, type, age and the departments it summoned,
 * each marked pending, acknowledged or arrived. A department still not arrived when the whistle's report limit has
 * passed (its own 报到时限, or by default REPORT_LIMIT_MINUTES: 30 min for an emergency, 2 h for a hard case, 24 h for
 * a routine whistle) is marked late, the whistle says how many are, and the heading how many whistles have one late;
 * until then a whistle shows the time left to report, in amber in its last quarter. Emergencies sort first; an
 * answered whistle lingers briefly in green.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { lateDepartments, reportDueAt, reportLimitMinutes } from '../../protocol/transition';
import type { CityModel } from '../geo/city-model';
import { t } from '../i18n/index';
import type { ActiveWhistle } from '../live/live-model';
import { TIER_COLOURS, cssColour } from '../live/incident-style';
import { caseLinkStyles, caseTitle, openCaseOnClick } from './case-link';
import { categoryName, duration, limitText, placeName, timeLeftText } from './format';
import { listPanelStyles } from './list-panel-styles';
import { styleProps } from './style-props';
import { panelStyles } from './theme';

@customElement('gw-whistle-board')
export class GwWhistleBoard extends LitElement {
  static override styles = [
    panelStyles,
    listPanelStyles,
    caseLinkStyles,
    css`
      .count {
        margin-left: auto;
        font-size: 0.9em;
        color: #f6c453;
      }
      .overdue-count {
        margin-left: auto;
        font-size: 0.75em;
        color: #fb7185;
        white-space: nowrap;
      }
      .overdue-count + .count {
        margin-left: 0.6em;
      }
      ul {
        display: flex;
        flex-direction: column;
        gap: 0.45em;
      }
      li {
        border-left: 0.3em solid var(--tier);
        background: rgba(255, 255, 255, 0.035);
        padding: 0.4em 0.6em;
        border-radius: 0.2em;
      }
      li.emergency {
        background: rgba(244, 63, 94, 0.12);
      }
      :host([motion]) li {
        animation: enter 1.6s ease-out;
      }
      :host([motion]) li.emergency {
        animation: enter 1.6s ease-out, glow 1.2s ease-in-out infinite alternate;
      }
      li.answered {
        opacity: 0.6;
      }
      @keyframes enter {
        from {
          background: rgba(250, 204, 21, 0.3);
        }
      }
      @keyframes glow {
        to {
          box-shadow: 0 0 0.9em rgba(244, 63, 94, 0.55);
        }
      }
      /* one line while the tier, the type, a few characters of the title and the age fit; on a narrow board (a 4:3
         screen, English) the age wraps to a line of its own, right-aligned, instead of running out of the card */
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0 0.5em;
        font-size: 1.1em;
        min-width: 0;
      }
      .tier {
        color: var(--tier);
        font-weight: 700;
        white-space: nowrap;
      }
      .type {
        font-size: 0.8em;
        color: #c8d6f0;
        white-space: nowrap;
      }
      .title {
        flex: 1 1 4em;
        min-width: 0;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .age {
        margin-left: auto;
        color: #f6c453;
        white-space: nowrap;
        font-size: 0.9em;
      }
      /* the summoned departments, at most two rows of them, and the tally (time left, arrived of summoned): beside
         the chips when they all fit on one line with it, else on a line of its own under them (the chips' box asks
         for its one-line width first), never clipped away with the chips */
      .departments {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-end;
        gap: 0.3em;
        margin-top: 0.25em;
        font-size: 0.82em;
      }
      .chips {
        flex: 1 1 auto;
        min-width: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.3em;
        /* two rows of chips: a chip is about 1.45em high with its border (WenQuanYi's line height), plus the gap */
        max-height: 3.3em;
        overflow: hidden;
      }
      .dept {
        padding: 0.05em 0.45em;
        border-radius: 1em;
        border: 1px solid #3a4f73;
        color: #9db0d0;
        white-space: nowrap;
      }
      .dept.acknowledged {
        border-color: #f6c453;
        color: #f6c453;
      }
      .dept.arrived {
        border-color: #34d399;
        background: rgba(52, 211, 153, 0.15);
        color: #6ee7b7;
      }
      .dept.late {
        border-color: #f43f5e;
        background: rgba(244, 63, 94, 0.18);
        color: #fecdd3;
      }
      .late-count {
        color: #fb7185;
        font-weight: 700;
        white-space: nowrap;
        font-size: 0.85em;
      }
      .left.soon {
        color: #fbbf24;
        font-weight: 700;
      }
      .tally {
        font-size: 0.8em;
        color: #8ea7cf;
        margin-left: auto;
        white-space: nowrap;
      }
    `,
  ];

  @property({ attribute: false }) whistles: ActiveWhistle[] = [];
  @property({ attribute: false }) city: CityModel | null = null;
  /** server-aligned now, epoch ms (the wall ticks it each second for the ages) */
  @property({ type: Number }) now = Date.now();
  @property({ type: Number }) rows = 6;
  /** the name of the category group the whistles keep to (the map's focus), or null for every case */
  @property({ attribute: false }) group: string | null = null;
  /** play the arrival glow and the emergency pulse (off: still walls and screenshots) */
  @property({ type: Boolean, reflect: true }) motion = false;
  /** rows open their case on the desk (off on a kiosk wall, which has none) */
  @property({ type: Boolean, reflect: true }) interactive = false;

  override render() {
    const active = this.whistles.filter((w) => !w.answered).length;
    // whistles with a summoned department late to report, across the whole list (not only the rows shown)
    const overdue = this.whistles.filter((w) => !w.answered && lateDepartments(w.whistle, this.now).length > 0).length;
    return html`<section class="panel">
      <h2>
        ${t('board.title')}${this.group === null ? nothing : html`<span class="group" data-group>· ${this.group}</span>`}
        ${overdue > 0 ? html`<span class="overdue-count num" data-overdue=${overdue} title=${t('board.overdueTitle')}>${t('board.overdue', { count: overdue })}</span>` : nothing}
        <span class="count num">${active}</span>
      </h2>
      ${this.whistles.length === 0 ? html`<div class="empty">${this.group === null ? t('board.empty') : t('board.emptyIn', { group: this.group })}</div>` : ''}
      <ul>
        ${repeat(
          this.whistles.slice(0, this.rows),
          (w) => w.key,
          (w) => {
            const arrived = w.targets.filter((d) => d.arrived).length;
            const late = new Set(lateDepartments(w.whistle, this.now));
            const limitMinutes = reportLimitMinutes(w.whistle);
            const limit = limitText(limitMinutes);
            // time left to report (报到剩余) until the limit passes; then the late marks take over
            const left = reportDueAt(w.whistle) - this.now;
            return html`<li
              class="${w.whistle.type === 'emergency' ? 'emergency' : ''} ${w.answered ? 'answered' : ''}"
              style=${styleProps({ '--tier': cssColour(TIER_COLOURS[w.whistle.tier]) })}
              data-whistle=${w.whistle.id}
              data-incident=${w.incident.id}
              data-category=${w.incident.category}
              data-grid=${w.incident.grid}
              data-tier=${w.whistle.tier}
              @click=${openCaseOnClick(this, w.incident.id)}
            >
              <div class="head">
                <span class="tier">${t(`tier.${w.whistle.tier}`)}</span>
                <span class="type">${t(`whistleType.${w.whistle.type}`)}</span>
                ${caseTitle(w.incident.title ?? categoryName(w.incident.category), this.interactive, 'title')}
                <span class="age num">${t('board.age', { age: duration(this.now - w.whistle.at) })}</span>
              </div>
              ${late.size > 0 ? html`<div class="late-count" data-late=${late.size}>${t('board.late', { count: late.size })}</div>` : nothing}
              <div class="place">${this.city ? placeName(this.city, w.incident.grid) : w.incident.grid}</div>
              <div class="departments">
                <span class="chips">${w.targets.map((d) => {
                  const name = this.city?.departmentByCode.get(d.department)?.name ?? d.department;
                  const state = d.arrived ? 'arrived' : d.acknowledged ? 'acknowledged' : 'pending';
                  const overdue = late.has(d.department);
                  return html`<span class="dept ${state} ${overdue ? 'late' : ''}" data-department=${d.department} data-state=${state} ?data-late=${overdue}
                    title=${overdue ? t('board.lateDepartment', { limit }) : nothing}>${name}</span>`;
                })}</span>
                <span class="tally num"
                  >${left > 0 && !w.answered
                    ? html`<span class="left ${left <= (limitMinutes * 60_000) / 4 ? 'soon' : ''}" data-left=${left} title=${t('board.leftTitle', { limit })}
                        >${timeLeftText(left)}</span> · `
                    : nothing}${t('board.arrived', { count: arrived })} / ${t('board.summoned', { count: w.targets.length })}</span
                >
              </div>
            </li>`;
          },
        )}
      </ul>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-whistle-board': GwWhistleBoard;
  }
}
