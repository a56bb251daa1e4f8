/**
 * A case's whistles and the departments' reports as a small sequence: one lane per summoned department under each
 * whistle, with the whistle (tier, type, time, report limit), the acknowledgement and the arrival, and the minutes
 * each took (报到 latency, a key figure). A department that has not reported yet shows as waiting, and the time it
 * has left to arrive; an arrival after the whistle's report limit, or none once it has passed, shows as late.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { reportDueAt, reportLate, reportLimitMinutes, type WhistleRecord } from '../../protocol/transition';
import type { CityModel } from '../geo/city-model';
import { localName, t } from '../i18n/index';
import { dayTime, limitText, timeLeftText } from '../panels/format';
import { deskStyles } from './desk-styles';

@customElement('gw-whistle-sequence')
export class GwWhistleSequence extends LitElement {
  static override styles = [
    deskStyles,
    css`
      .sequence {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      .whistle {
        border-left: 0.25em solid var(--tier, #60a5fa);
        padding: 0.2em 0 0.3em 0.6em;
        margin-bottom: 0.4em;
      }
      .whistle[data-tier='community'] {
        --tier: #38bdf8;
      }
      .whistle[data-tier='street'] {
        --tier: #f59e0b;
      }
      .whistle[data-tier='district'] {
        --tier: #ef4444;
      }
      .lane {
        display: grid;
        grid-template-columns: minmax(0, 1.4fr) repeat(2, minmax(0, 1fr));
        gap: 0.5em;
        font-size: 0.9em;
      }
      .step[data-done='false'] {
        color: #8aa0c4;
        font-style: italic;
      }
      .step[data-late] {
        color: #fb7185;
      }
    `,
  ];

  @property({ attribute: false }) whistles: WhistleRecord[] = [];
  @property({ attribute: false }) city: CityModel | null = null;
  /** the time the desk shows (live, or playback's t): whether a report limit has passed */
  @property({ type: Number }) now = Date.now();

  override render() {
    if (this.whistles.length === 0) return html``;
    const latency = (from: number, to: number | undefined) => (to === undefined ? '' : ` (+${Math.round((to - from) / 60_000)}′)`);
    return html`<ol class="sequence" aria-label=${t('desk.whistles')}>
      ${this.whistles.map(
        (w) => html`<li class="whistle" data-tier=${w.tier} data-whistle=${w.id}>
          <div class="row">
            <strong>${t(`tier.${w.tier}`)} · ${t(`whistleType.${w.type}`)}</strong>
            <span class="muted">${dayTime(w.at, this.now)} · ${t('desk.report.limit', { limit: limitText(reportLimitMinutes(w)) })}</span>
          </div>
          ${w.departments.map((code) => {
            const report = w.reports[code];
            const late = reportLate(w, code, this.now);
            return html`<div class="lane" data-department=${code}>
              <span class="ellipsis">${localName(this.city?.departmentByCode.get(code), code)}</span>
              <span class="step" data-done=${report?.acknowledgedAt !== undefined ? 'true' : 'false'}>
                ${report?.acknowledgedAt !== undefined ? `${t('desk.report.acknowledged')} ${dayTime(report.acknowledgedAt, w.at)}${latency(w.at, report.acknowledgedAt)}` : t('desk.report.waiting')}
              </span>
              <span class="step" data-done=${report?.arrivedAt !== undefined ? 'true' : 'false'} ?data-late=${late}>
                ${report?.arrivedAt !== undefined
                  ? `${t('desk.report.arrived')} ${dayTime(report.arrivedAt, w.at)}${latency(w.at, report.arrivedAt)}${late ? ` · ${t('desk.report.late')}` : ''}`
                  : late
                    ? t('desk.report.notArrivedLate')
                    : timeLeftText(reportDueAt(w) - this.now)}
              </span>
            </div>`;
          })}
        </li>`,
      )}
    </ol>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-whistle-sequence': GwWhistleSequence;
  }
}
