/**
 * One case in full: what and where (category, title, address, its grid as a link), its status and deadline clock,
 * the whistles and departments' reports as a small sequence, and the timeline of every event with its time, actor
 * and note. Officers act on it from here (<gw-case-actions>). The record follows the live model (`live`) and the
 * timeline is read again whenever the case moves on (`revision`, the record's last seq).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { Task } from '@lit/task';
import { eventTime, type StoredEvent } from '../../protocol/events';
import { isOpenStatus, recordAt, type IncidentRecord } from '../../protocol/transition';
import { AreaSelectEvent } from '../events/area-select-event';
import { CaseSelectEvent } from '../events/case-select-event';
import { PlaybackCommandEvent } from '../playback/playback-command-event';
import type { CityModel } from '../geo/city-model';
import { localName, t, type MessageKey } from '../i18n/index';
import { categoryName, clockDate, clockDateTime, clockTime, dayTime, eventLabel, placeName } from '../panels/format';
import { deskApi, type Officer } from './desk-api';
import { deskErrorText } from './error-text';
import { deskStyles } from './desk-styles';
import './gw-case-actions';
import './gw-deadline-timer';
import './gw-whistle-sequence';

/** How far before a case's report and after its last step "replay this case" opens playback. */
export const CASE_REPLAY_MARGIN_MS = 5 * 60_000;

@customElement('gw-case-detail')
export class GwCaseDetail extends LitElement {
  static override styles = [
    deskStyles,
    css`
      h2 {
        font-size: 1.2em;
      }
      [data-close-case] {
        margin-bottom: 0.35em;
      }
      dl {
        display: grid;
        grid-template-columns: auto minmax(0, 1fr);
        gap: 0.1em 0.8em;
        margin: 0.4em 0;
      }
      dt {
        color: #8aa0c4;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      /* a long place name (street · community grid) wraps inside the panel instead of running out of it */
      dd button.link {
        white-space: normal;
        text-align: start;
      }
      ol.timeline {
        list-style: none;
        margin: 0;
        padding: 0 0 0 0.8em;
        border-left: 2px solid rgba(96, 165, 250, 0.5);
      }
      ol.timeline li {
        padding: 0.15em 0 0.3em;
        display: grid;
        gap: 0.05em;
      }
      .note {
        color: #cfe0ff;
        overflow-wrap: anywhere;
      }
      h3.timeline-head {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
      }
      h3.timeline-head button {
        font-size: 0.8em;
        font-weight: normal;
      }
      button.step {
        color: #8aa0c4;
        text-decoration-style: dotted;
      }
      button.step:disabled {
        text-decoration: none;
        cursor: default;
      }
      ol.timeline li.later {
        opacity: 0.45;
      }
      ol.timeline li.after {
        color: #8aa0c4;
        font-size: 0.85em;
        border-top: 1px dashed rgba(138, 160, 196, 0.6);
        margin-top: 0.2em;
      }
    `,
  ];

  @property() incidentId = '';
  /** the case as the live model has it now (undefined when it is not in the live window, e.g. closed long ago) */
  @property({ attribute: false }) live: IncidentRecord | undefined;
  /** changes whenever the case moves on; the timeline is read again */
  @property({ type: Number }) revision = 0;
  @property({ attribute: false }) officer: Officer | null = null;
  @property({ attribute: false }) city: CityModel | null = null;
  @property({ type: Number }) now = Date.now();
  /** playback: the case as it stood at the wall's instant (`now`), read-only; later steps are set apart */
  @property({ type: Boolean }) replaying = false;
  /** playback: the open range, which a step's time can move the wall within */
  @property({ attribute: false }) range: { from: number; to: number } | null = null;

  private readonly caseTask = new Task(this, {
    task: ([id], { signal }) => deskApi.incident(id, signal),
    args: () => [this.incidentId, this.revision] as const,
  });

  private actor(event: StoredEvent): string {
    const actor = event.actor;
    if (!actor) return t('desk.actor.system');
    const role = actor.role ? t(`desk.actor.${actor.role}` as MessageKey) : '';
    return [actor.name ?? actor.id, role].filter(Boolean).join(' · ');
  }

  /**
   * A step's time: in playback, a button that moves the wall to that instant (within the open range), so an analyst
   * walks the case step by step; otherwise plain text.
   */
  private stepTime(event: StoredEvent, text: string) {
    const at = eventTime(event);
    if (!this.replaying || !this.range) return html`<span class="muted num" data-time>${text}</span>`;
    const inRange = this.inRange(at);
    return html`<button class="link num step" data-time data-seek=${at} ?disabled=${!inRange} title=${inRange ? t('desk.timeline.seek') : t('desk.timeline.outOfRange')}
      @click=${() => this.seek(at)}>${text}</button>`;
  }

  /** whether playback's open range holds the instant (the wall can be moved there) */
  private inRange(at: number): boolean {
    return this.range !== null && at >= this.range.from && at <= this.range.to;
  }

  /** moves the playing wall to the instant */
  private seek(at: number): void {
    this.dispatchEvent(new PlaybackCommandEvent({ kind: 'seek', t: at }));
  }

  /**
   * Opens playback over the case's life (from a few minutes before its report to a few after its last step, or now
   * while it is open) at its report, so its steps can be walked on the wall with the city around it.
   */
  private replayCase(incident: IncidentRecord, events: readonly StoredEvent[]): void {
    const first = eventTime(events[0] as StoredEvent);
    const last = eventTime(events.at(-1) as StoredEvent);
    const to = isOpenStatus(incident.status) ? Date.now() : Math.min(Date.now(), last + CASE_REPLAY_MARGIN_MS);
    this.dispatchEvent(new PlaybackCommandEvent({ kind: 'open', from: first - CASE_REPLAY_MARGIN_MS, to }));
    this.seek(first);
  }

  /** whether the step came after the instant shown (playback only) */
  private later(event: StoredEvent | undefined): boolean {
    return this.replaying && event !== undefined && eventTime(event) > this.now;
  }

  private details(event: StoredEvent): string {
    switch (event.type) {
      case 'incident.dispatched':
      case 'incident.whistled':
        return event.departments.map((d) => localName(this.city?.departmentByCode.get(d), d)).join('、');
      case 'department.reported':
        return localName(this.city?.departmentByCode.get(event.department), event.department);
      case 'incident.cancelled':
        return event.reason;
      default:
        return '';
    }
  }

  override render() {
    const fetched = this.caseTask.value?.incident.id === this.incidentId ? this.caseTask.value : undefined;
    // In playback the case is as it stood at the wall's instant: the state at t has it while it is open or ended
    // within the day before; otherwise (ended long before t, or reported after it) its own events up to t tell.
    const incident = this.live ?? (fetched && this.replaying ? recordAt(fetched.events, this.now) : fetched?.incident);
    const back = html`<button data-close-case @click=${() => this.dispatchEvent(new CaseSelectEvent(null))}>← ${t('desk.back')}</button>`;
    if (!incident && fetched) {
      // playback, before the case was reported
      return html`${back}<h2 data-case=${fetched.incident.id}>${fetched.incident.title ?? categoryName(fetched.incident.category)}</h2>
        <p class="muted" data-not-yet>${t('desk.case.notYet', { time: clockDateTime(fetched.incident.reportedAt) })}</p>
        ${this.inRange(fetched.incident.reportedAt)
          ? html`<button data-seek-report @click=${() => this.seek(fetched.incident.reportedAt)}>${t('desk.case.seekReport')}</button>`
          : nothing}`;
    }
    if (!incident) {
      return html`${back}${this.caseTask.render({
        pending: () => html`<p class="muted">${t('app.loading')}</p>`,
        error: (e) => html`<p class="error" role="alert">${deskErrorText(e)}</p>`,
      })}`;
    }
    return html`
      ${back}
      <h2 data-case=${incident.id}>${incident.title ?? categoryName(incident.category)}</h2>
      <dl>
        <dt>${t('desk.case.id')}</dt><dd class="num">${incident.id}</dd>
        <dt>${t('desk.case.status')}</dt><dd data-status=${incident.status}>${t(`status.${incident.status}` as MessageKey)} · ${t(`priority.${incident.priority}` as MessageKey)}</dd>
        <dt>${t('desk.case.category')}</dt><dd>${categoryName(incident.category)}</dd>
        <dt>${t('desk.case.grid')}</dt>
        <dd><button class="link" data-grid=${incident.grid} @click=${() => this.dispatchEvent(new AreaSelectEvent(incident.grid))}>
          ${this.city ? placeName(this.city, incident.grid) : ''} ${this.city?.areas.get(incident.grid)?.name ?? incident.grid}</button></dd>
        ${incident.address ? html`<dt>${t('desk.case.address')}</dt><dd>${incident.address}</dd>` : nothing}
        <dt>${t('desk.case.reported')}</dt><dd>${clockDate(incident.reportedAt)} ${clockTime(incident.reportedAt)}</dd>
        <dt>${t('desk.case.deadline')}</dt>
        <dd><gw-deadline-timer .deadline=${incident.deadline} .dispatchedAt=${incident.dispatchedAt} .status=${incident.status} .resolvedAt=${incident.resolvedAt} .now=${this.now}></gw-deadline-timer></dd>
        ${incident.satisfaction !== undefined ? html`<dt>${t('desk.satisfaction')}</dt><dd>${'★'.repeat(incident.satisfaction)}</dd>` : nothing}
      </dl>
      <gw-case-actions .incident=${incident} .officer=${this.officer} .city=${this.city} .now=${this.now} ?replaying=${this.replaying}></gw-case-actions>
      ${incident.whistles.length > 0 ? html`<h3>${t('desk.whistles')}</h3><gw-whistle-sequence .whistles=${incident.whistles} .city=${this.city} .now=${this.now}></gw-whistle-sequence>` : nothing}
      <h3 class="timeline-head">${t('desk.timeline')}${!this.replaying && fetched ? html`<button class="link" data-replay-case title=${t('desk.case.replayTitle')}
        @click=${() => this.replayCase(incident, fetched.events)}>${t('desk.case.replay')}</button>` : nothing}</h3>
      ${this.caseTask.render({ error: (e) => html`<p class="error" role="alert">${deskErrorText(e)}</p>` })}
      <ol class="timeline" data-timeline>
        ${(fetched?.events ?? []).map(
          // each step dated when its day is not the step before's (the first: the report's, dated above); in
          // playback the steps after the wall's instant follow a divider, dimmed: what came next, not what was
          (event, i, events) => {
            const later = this.later(event);
            return html`${later && !this.later(events[i - 1]) ? html`<li class="after" data-after-divider>${t('desk.timeline.after')}</li>` : nothing}
            <li data-type=${event.type} data-seq=${event.seq} class=${later ? 'later' : ''} ?data-later=${later}>
            <span>${this.stepTime(event, dayTime(eventTime(event), i === 0 ? incident.reportedAt : eventTime(events[i - 1] as StoredEvent)))} <strong>${eventLabel(event)}</strong> <span class="muted">${this.actor(event)}</span></span>
            ${this.details(event) ? html`<span>${this.details(event)}</span>` : nothing}
            ${event.note ? html`<span class="note">${event.note}</span>` : nothing}
          </li>`;
          },
        )}
      </ol>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-case-detail': GwCaseDetail;
  }
}
