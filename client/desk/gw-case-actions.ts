/**
 * What a logged-in officer in scope can do with a case: the next steps of its lifecycle as buttons (accept,
 * dispatch, start, whistle, record a department's report, resolve, verify, close, rate), every other action under
 * "more", and, on an overdue case, a one-click supervise (督办) with an escalation suggestion. Each action is a
 * POST /api/v1/actions, the same validated path as ingest: when the server refuses (an illegal transition, a
 * department of the wrong level), its reason is shown here as it was given. Nobody logged in: nothing is shown.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { slaHoursFor } from '../../protocol/catalogues';
import { DISPATCH_DEADLINE_MAX_HOURS, DISPATCH_DEADLINE_MIN_HOURS, WHISTLE_TIERS, WHISTLE_TYPES, type WhistleTier, type WhistleType } from '../../protocol/events';
import { DEADLINE_PRESETS, deadlineFields, deadlineInputTime } from './dispatch-deadline';
import { isUnresolvedStatus, REPORT_LIMIT_MINUTES, type IncidentRecord } from '../../protocol/transition';
import { CaseActedEvent } from '../events/case-acted-event';
import { SessionChangeEvent } from '../events/session-change-event';
import type { CityModel } from '../geo/city-model';
import { localName, t, type MessageKey } from '../i18n/index';
import { DeskApiError, deskApi, officerCovers, type ActionRequest, type Officer } from './desk-api';
import { limitText } from '../panels/format';
import { deskStyles } from './desk-styles';
import { deskErrorText } from './error-text';
import { suggestDepartments } from './department-suggest';
import { nextActions, type ActionName } from './next-actions';

const ALL_ACTIONS: ActionName[] = ['accept', 'dispatch', 'start', 'whistle', 'report', 'resolve', 'verify', 'close', 'rate', 'supervise', 'cancel'];
/** Actions that need no fields go straight to the server; the rest open a small form. */
const NEEDS_FORM = new Set<ActionName>(['dispatch', 'whistle', 'report', 'verify', 'rate', 'supervise', 'cancel']);
const SUPERVISE_LEVELS = ['street', 'district', 'city'] as const;
/** The whistle form's 报到时限 presets, minutes: 15 min … 3 days. */
const REPORT_WITHIN_PRESETS = [15, 30, 60, 120, 240, 480, 1440, 4320] as const;
@customElement('gw-case-actions')
export class GwCaseActions extends LitElement {
  static override styles = [
    deskStyles,
    css`
      .buttons {
        display: flex;
        flex-wrap: wrap;
        gap: 0.35em;
        margin: 0.3em 0;
      }
      form {
        display: grid;
        gap: 0.35em;
        padding: 0.5em;
        margin: 0.3em 0;
        border: 1px solid rgba(120, 170, 240, 0.4);
        border-radius: 0.3em;
      }
      fieldset {
        border: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.15em;
      }
      legend {
        color: #8aa0c4;
        padding: 0;
      }
      label {
        display: flex;
        gap: 0.4em;
        align-items: center;
        min-width: 0;
      }
      .suggestion {
        border: 1px solid #f87171;
        background: rgba(127, 29, 29, 0.35);
        border-radius: 0.3em;
        padding: 0.3em 0.5em;
      }
    `,
  ];

  @property({ attribute: false }) incident: IncidentRecord | null = null;
  @property({ attribute: false }) officer: Officer | null = null;
  @property({ attribute: false }) city: CityModel | null = null;
  @property({ type: Number }) now = Date.now();
  /**
   * Playback: the case shows as it stood at a past instant, and an action decided on that picture would land on the
   * case as it is now; so none is offered until the wall is back to live.
   */
  @property({ type: Boolean }) replaying = false;
  @state() private form: ActionName | null = null;
  @state() private busy = false;
  @state() private error: string | null = null;
  /** the dispatch form's deadline choice: `sla`, hours, or `at` (which shows a date-time field) */
  @state() private deadlineChoice = 'sla';
  /** the whistle form's type, for its default 报到时限 */
  @state() private whistleType: WhistleType = WHISTLE_TYPES[0];

  private inScope(incident: IncidentRecord): boolean {
    return this.officer !== null && officerCovers(this.officer, incident.grid);
  }

  private async send(request: ActionRequest): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await deskApi.act(request);
      this.form = null;
      this.dispatchEvent(new CaseActedEvent(request.incidentId, request.action));
    } catch (err) {
      this.error = deskErrorText(err, (code) => localName(this.city?.departmentByCode.get(code), code));
      if (err instanceof DeskApiError && err.status === 401) this.dispatchEvent(new SessionChangeEvent(null));
    } finally {
      this.busy = false;
    }
  }

  private start(action: ActionName): void {
    const incident = this.incident;
    if (!incident) return;
    this.error = null;
    this.deadlineChoice = 'sla';
    this.whistleType = WHISTLE_TYPES[0];
    if (NEEDS_FORM.has(action)) this.form = action;
    else void this.send({ action, incidentId: incident.id });
  }

  private submit(event: SubmitEvent, action: ActionName): void {
    event.preventDefault();
    const incident = this.incident;
    if (!incident) return;
    const data = new FormData(event.target as HTMLFormElement);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    };
    const request: ActionRequest = { action, incidentId: incident.id };
    const note = text('note');
    if (note) request.note = note;
    if (action === 'dispatch' || action === 'whistle') {
      const departments = data.getAll('department').map(String);
      // said here, in the page's language, rather than sent for the server's "departments must have at least 1 item"
      if (departments.length === 0) {
        this.error = t('desk.error.noDepartment');
        return;
      }
      request.departments = departments;
    }
    if (action === 'dispatch') Object.assign(request, deadlineFields(text('deadlineChoice'), text('deadlineAt')));
    if (action === 'whistle') {
      request.tier = text('tier');
      request.whistleType = text('whistleType');
      // empty: the type's limit, which the server writes in
      const within = text('reportWithin');
      if (within !== undefined) request.reportWithinMinutes = Number(within);
    }
    if (action === 'report') {
      const [whistleId, department] = (text('target') ?? '|').split('|');
      Object.assign(request, { whistleId, department, stage: text('stage') });
    }
    if (action === 'verify') request.passed = text('passed') === 'yes';
    if (action === 'rate') request.satisfaction = Number(text('satisfaction'));
    if (action === 'supervise') request.level = text('level');
    if (action === 'cancel') {
      const reason = text('reason');
      if (reason === undefined) {
        this.error = t('desk.error.noReason');
        return;
      }
      request.reason = reason;
    }
    void this.send(request);
  }

  /** The tier above the case's latest whistle (community first), for the escalation suggestion. */
  private escalationTier(incident: IncidentRecord): WhistleTier {
    const last = incident.whistles[incident.whistles.length - 1];
    if (!last) return 'community';
    return WHISTLE_TIERS[Math.min(WHISTLE_TIERS.indexOf(last.tier) + 1, WHISTLE_TIERS.length - 1)]!;
  }

  @state() private whistleTier: WhistleTier | null = null;

  /** The departments to pick: those a dispatch sends (派遣部门), or those a whistle summons (召集部门). */
  private departmentChoices(incident: IncidentRecord, target: Parameters<typeof suggestDepartments>[2]): TemplateResult {
    const suggested = this.city ? suggestDepartments(this.city.departments, incident, target).slice(0, 8) : [];
    return html`<fieldset>
      <legend>${t('tier' in target ? 'desk.form.departments' : 'desk.form.dispatchDepartments')}</legend>
      ${suggested.length === 0 ? html`<span class="muted">${t('desk.none')}</span>` : nothing}
      ${suggested.map(
        (s, i) => html`<label>
          <input type="checkbox" name="department" value=${s.department.code} ?checked=${i === 0} />
          <span class="ellipsis">${localName(s.department, s.department.code)}</span>
          <span class="muted">${s.distanceKm.toFixed(1)} km${s.matchesCategory ? ` · ${t('desk.form.suggested')}` : ''}</span>
        </label>`,
      )}
    </fieldset>`;
  }

  /** The dispatch form's deadline: the category's SLA (or, on a redispatch, the current deadline), presets, a date-time. */
  private deadlineChoices(incident: IncidentRecord): TemplateResult {
    const keep = incident.deadline !== undefined;
    return html`<label>${t('desk.form.deadline')}
        <select name="deadlineChoice" @change=${(e: Event) => (this.deadlineChoice = (e.target as HTMLSelectElement).value)}>
          <option value="sla" ?selected=${this.deadlineChoice === 'sla'}>
            ${keep ? t('desk.form.deadline.keep') : t('desk.form.deadline.sla', { hours: slaHoursFor(incident.category) })}</option>
          ${DEADLINE_PRESETS.map((h) => html`<option value=${h} ?selected=${this.deadlineChoice === String(h)}>${t('desk.form.deadline.hours', { hours: h })}</option>`)}
          <option value="at" ?selected=${this.deadlineChoice === 'at'}>${t('desk.form.deadline.at')}</option>
        </select></label>
      ${this.deadlineChoice === 'at'
        ? html`<label>${t('desk.form.deadline.time')}
            <input type="datetime-local" name="deadlineAt" required
              min=${deadlineInputTime(this.now + DISPATCH_DEADLINE_MIN_HOURS * 3_600_000 + 60_000)}
              max=${deadlineInputTime(this.now + DISPATCH_DEADLINE_MAX_HOURS * 3_600_000)} /></label>`
        : nothing}`;
  }

  /** The whistle form's 报到时限: the type's limit (as the server has it), or a preset. */
  private reportWithinChoices(): TemplateResult {
    const byType = this.city?.whistleReportMinutes ?? REPORT_LIMIT_MINUTES;
    return html`<label>${t('desk.form.reportWithin')}
      <select name="reportWithin">
        <option value="">${t('desk.form.reportWithin.type', { limit: limitText(byType[this.whistleType]) })}</option>
        ${REPORT_WITHIN_PRESETS.map((m) => html`<option value=${m}>${limitText(m)}</option>`)}
      </select></label>`;
  }

  private renderForm(incident: IncidentRecord, action: ActionName): TemplateResult {
    const tier = this.whistleTier ?? this.escalationTier(incident);
    let fields: TemplateResult | typeof nothing = nothing;
    if (action === 'dispatch') fields = html`${this.departmentChoices(incident, { level: 'street' })}${this.deadlineChoices(incident)}`;
    if (action === 'whistle') {
      fields = html`<label>${t('desk.form.tier')}
          <select name="tier" @change=${(e: Event) => (this.whistleTier = (e.target as HTMLSelectElement).value as WhistleTier)}>
            ${WHISTLE_TIERS.map((x) => html`<option value=${x} ?selected=${x === tier}>${t(`tier.${x}`)}</option>`)}
          </select></label>
        <label>${t('desk.form.whistleType')}
          <select name="whistleType" @change=${(e: Event) => (this.whistleType = (e.target as HTMLSelectElement).value as WhistleType)}>
            ${WHISTLE_TYPES.map((x) => html`<option value=${x} ?selected=${x === this.whistleType}>${t(`whistleType.${x}`)}</option>`)}</select></label>
        ${this.reportWithinChoices()}
        ${this.departmentChoices(incident, { tier })}`;
    }
    if (action === 'report') {
      const targets = incident.whistles.flatMap((w) => w.departments.filter((d) => w.reports[d]?.arrivedAt === undefined).map((d) => ({ w, d })));
      fields = html`<label>${t('desk.form.department')}
          <select name="target">${targets.map(({ w, d }) => html`<option value="${w.id}|${d}">${localName(this.city?.departmentByCode.get(d), d)} · ${t(`tier.short.${w.tier}`)}</option>`)}</select></label>
        <label>${t('desk.form.stage')}
          <select name="stage"><option value="acknowledged">${t('desk.report.acknowledged')}</option><option value="arrived">${t('desk.report.arrived')}</option></select></label>`;
    }
    if (action === 'verify') {
      fields = html`<label><input type="radio" name="passed" value="yes" checked />${t('desk.form.passed')}</label>
        <label><input type="radio" name="passed" value="no" />${t('desk.form.failed')}</label>`;
    }
    if (action === 'rate') {
      fields = html`<label>${t('desk.satisfaction')}
          <select name="satisfaction">${[5, 4, 3, 2, 1].map((n) => html`<option value=${n}>${'★'.repeat(n)}</option>`)}</select></label>`;
    }
    if (action === 'supervise') {
      const level = SUPERVISE_LEVELS[Math.min(incident.supervisions.length, 2)];
      fields = html`<label>${t('desk.form.level')}
          <select name="level">${SUPERVISE_LEVELS.map((x) => html`<option value=${x} ?selected=${x === level}>${t(`level.${x}`)}</option>`)}</select></label>`;
    }
    if (action === 'cancel') fields = html`<label>${t('desk.form.reason')} <input name="reason" required maxlength="500" /></label>`;
    return html`<form data-form=${action} @submit=${(e: SubmitEvent) => this.submit(e, action)}>
      <strong>${t(`desk.action.${action}` as MessageKey)}</strong>
      ${fields}
      <label>${t('desk.form.note')} <input name="note" maxlength="2000" /></label>
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy}>${t('desk.form.submit')}</button>
        <button type="button" @click=${() => (this.form = null)}>${t('desk.form.cancel')}</button>
      </div>
    </form>`;
  }

  /**
   * A form that opens takes the focus (its first field) and is scrolled into the panel's view: on a short screen it
   * opens below the fold, where its submit button was out of sight.
   */
  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('form') || this.form === null) return;
    const form = this.renderRoot.querySelector<HTMLFormElement>('form[data-form]');
    if (!form) return;
    form.querySelector<HTMLElement>('select, input, textarea')?.focus({ preventScroll: true });
    form.scrollIntoView({ block: 'nearest' });
  }

  override render() {
    const incident = this.incident;
    if (!incident) return nothing;
    if (this.replaying) return html`<p class="muted" data-replaying>${t('desk.replaying')}</p>`;
    if (!this.officer) return html`<p class="muted" data-read-only>${t('desk.readOnly')}</p>`;
    if (!this.inScope(incident)) return html`<p class="muted" data-out-of-scope>${t('desk.outOfScope')}</p>`;
    const overdue = isUnresolvedStatus(incident.status) && incident.deadline !== undefined && incident.deadline <= this.now;
    const next = nextActions(incident);
    const button = (action: ActionName, primary = false) =>
      html`<button class=${primary ? 'primary' : ''} data-action=${action} ?disabled=${this.busy} @click=${() => this.start(action)}>${t(`desk.action.${action}` as MessageKey)}</button>`;
    return html`
      ${overdue
        ? html`<div class="suggestion" data-suggestion>
            <span>${t('desk.overdueSuggestion')}</span>
            <div class="buttons">
              <button class="warn" data-action="supervise-now" ?disabled=${this.busy}
                @click=${() => void this.send({ action: 'supervise', incidentId: incident.id, level: SUPERVISE_LEVELS[Math.min(incident.supervisions.length, 2)] })}>
                ${t('desk.action.superviseNow')}</button>
              <button data-action="escalate" ?disabled=${this.busy} @click=${() => ((this.whistleTier = this.escalationTier(incident)), (this.form = 'whistle'))}>
                ${t('desk.action.escalate', { tier: t(`tier.${this.escalationTier(incident)}`) })}</button>
            </div>
          </div>`
        : nothing}
      <div class="buttons" data-next>${next.map((action, i) => button(action, i === 0))}</div>
      <details>
        <summary>${t('desk.moreActions')}</summary>
        <div class="buttons" data-more>${ALL_ACTIONS.filter((a) => !next.includes(a)).map((a) => button(a))}</div>
      </details>
      ${this.form ? this.renderForm(incident, this.form) : nothing}
      ${this.error ? html`<p class="error" role="alert" data-action-error>${this.error}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-case-actions': GwCaseActions;
  }
}
