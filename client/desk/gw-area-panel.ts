/**
 * The side panel of one area (a grid, or a community / street / district when drilling): where it is (breadcrumb
 * and 15-digit code), its households and population, who is responsible (grid secretary, head, workers, volunteers
 * with their phones), the service centres of the area and those within a 15-minute walk, its open cases with live
 * deadline clocks, the cases closed in the last day with satisfaction, how the departments summoned to it over the
 * last day reported (arrived of summoned, late, mean time to arrive), the areas within with today's figures against
 * the city's targets (rankable by any column), and the public board.
 *
 * Open cases come from the live model (`open`, updated every frame the wall folds); the rest is read from the
 * server and read again when `refresh` changes (after an action, or when the area's cases changed). In playback
 * (`at` set) the server's part is read as it stood at that instant, at most once a second while the instant moves
 * (a playing wall), and exactly at it once it stops.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import { KPI_MIN_BASE, kpis, type KpiTargetKey } from '../../protocol/kpi';
import type { CityState } from '../../protocol/reducer';
import type { IncidentRecord } from '../../protocol/transition';
import { AreaSelectEvent } from '../events/area-select-event';
import { CaseSelectEvent } from '../events/case-select-event';
import type { CityModel } from '../geo/city-model';
import { localName, t, type MessageKey } from '../i18n/index';
import { categoryName, clockDateTime, dayTime, duration } from '../panels/format';
import { figureText, kpiFigures, type KpiFigure } from '../panels/kpi-figures';
import { deskApi } from './desk-api';
import { deskErrorText } from './error-text';
import { deskStyles } from './desk-styles';
import type { BreadcrumbStep } from './gw-breadcrumb';
import './gw-breadcrumb';
import './gw-deadline-timer';
import './gw-public-board';

/** Open cases listed by name (the nearest deadlines first); the rest are counted, and a sub-area narrows the list. */
const OPEN_LISTED = 40;
/** While the playback instant moves, the server's view is asked for at most this often. */
export const PAST_VIEW_EVERY_MS = 1_000;

/** The figures of the areas within, as columns: counts, then the rates a city sets targets for. */
const CHILD_COLUMNS = ['open', 'overdue', 'onTimeRate', 'satisfactionRate', 'reportOnTimeRate'] as const;
type ChildColumn = (typeof CHILD_COLUMNS)[number];
const isRate = (column: ChildColumn): column is ChildColumn & KpiTargetKey => column.endsWith('Rate');

const LEVEL_KEYS: Record<string, MessageKey> = {
  city: 'desk.level.city',
  district: 'desk.level.district',
  street: 'desk.level.street',
  community: 'desk.level.community',
  grid: 'desk.level.grid',
};
const ROLE_KEYS: Record<string, MessageKey> = {
  secretary: 'desk.role.secretary',
  head: 'desk.role.head',
  worker: 'desk.role.worker',
  volunteer: 'desk.role.volunteer',
};

@customElement('gw-area-panel')
export class GwAreaPanel extends LitElement {
  static override styles = [
    deskStyles,
    css`
      :host {
        display: block;
      }
      header {
        display: grid;
        gap: 0.3em;
      }
      h2 {
        font-size: 1.25em;
      }
      .code {
        font-family: 'DejaVu Sans Mono', monospace;
        letter-spacing: 0.05em;
        color: #fff;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.1em 0.8em;
        margin: 0.3em 0 0;
      }
      dt {
        color: #8aa0c4;
      }
      dd {
        margin: 0;
      }
      li {
        display: flex;
        align-items: baseline;
        gap: 0.5em;
        padding: 0.12em 0;
        min-width: 0;
      }
      /* title, status and deadline in columns that line up from row to row (each row a subgrid of the list) */
      ul[data-open-cases] {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto auto;
        column-gap: 0.6em;
      }
      ul[data-open-cases] > li {
        grid-column: 1 / -1;
      }
      /* name, arrivals, late count and mean time in columns that line up from row to row */
      ul[data-departments] {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto auto auto;
        column-gap: 0.6em;
      }
      ul[data-departments] > li {
        grid-column: 1 / -1;
      }
      li.department {
        display: grid;
        grid-template-columns: subgrid;
      }
      li.department .late[data-late] {
        color: #ff6b6b;
      }
      li.case {
        display: grid;
        grid-template-columns: subgrid;
      }
      li.case > button {
        justify-self: start;
        max-width: 100%;
        text-align: start;
      }
      li.case gw-deadline-timer {
        justify-self: end;
      }
      a {
        color: #cfe0ff;
      }
      .role {
        color: #8fb8ff;
        min-width: 4.5em;
      }
      table[data-children] {
        width: 100%;
        table-layout: fixed;
        border-collapse: collapse;
        font-size: 0.9em;
      }
      table[data-children] th:first-child {
        width: 30%;
      }
      table[data-children] th,
      table[data-children] td {
        padding: 0.1em 0.25em;
        text-align: end;
        white-space: nowrap;
      }
      table[data-children] th:first-child,
      table[data-children] td:first-child {
        text-align: start;
        white-space: normal;
      }
      table[data-children] th {
        font-weight: 400;
        color: #8aa0c4;
        vertical-align: bottom;
        white-space: normal;
      }
      table[data-children] th button {
        font: inherit;
        color: inherit;
        background: none;
        border: 0;
        padding: 0;
        text-align: inherit;
        white-space: normal;
        cursor: pointer;
      }
      table[data-children] th[aria-sort='descending'] button,
      table[data-children] th[aria-sort='ascending'] button {
        color: #fff;
        text-decoration: underline;
      }
      table[data-children] td button {
        text-align: start;
        max-width: 100%;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        padding: 0.05em 0.35em;
      }
      td.alert {
        color: #ff6b6b;
      }
      td.good {
        color: #5ee6a8;
      }
    `,
  ];

  @property() code = '';
  @property({ attribute: false }) city: CityModel | null = null;
  /** the area's open cases, from the live model */
  @property({ attribute: false }) open: IncidentRecord[] = [];
  @property({ type: Number }) now = Date.now();
  /** bumped by the owner to read the server's view again */
  @property({ type: Number }) refresh = 0;
  /** the playback instant the wall shows; null: live (now) */
  @property({ type: Number }) at: number | null = null;
  /**
   * the state of the model the wall shows (live, or playback's at t), for the areas within's figures of today; it
   * changes in place, and the panel is drawn again whenever the owner's `open` or `now` moves
   */
  @property({ attribute: false }) state: CityState | null = null;
  /** the column the areas within are ranked by, worst first; null: in code order */
  @state() private childSort: ChildColumn | null = null;
  /** what the server's view was last asked for: `refresh` and `at`, held back while a playing instant moves */
  @state() private asked: { refresh: number; at: number | null } = { refresh: 0, at: null };
  private askedAtMs = 0;
  private askTimer: ReturnType<typeof setTimeout> | null = null;

  private readonly detailTask = new Task(this, {
    task: ([code], { signal }) => deskApi.area(code, signal),
    args: () => [this.code] as const,
  });

  private readonly deskTask = new Task(this, {
    task: ([code, , at], { signal }) => deskApi.areaDesk(code, signal, at),
    args: () => [this.code, this.asked.refresh, this.asked.at] as const,
  });

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('code') || changed.has('refresh') || changed.has('at')) this.ask(changed.has('code'));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopAsking();
  }

  /** Asks for the view now when live, for a new area or the first past instant; else at most once a PAST_VIEW_EVERY_MS. */
  private ask(now: boolean): void {
    if (this.asked.refresh === this.refresh && this.asked.at === this.at) return;
    const wait = PAST_VIEW_EVERY_MS - (performance.now() - this.askedAtMs);
    if (now || this.at === null || this.asked.at === null || wait <= 0) {
      this.stopAsking();
      this.asked = { refresh: this.refresh, at: this.at };
      this.askedAtMs = performance.now();
    } else {
      this.askTimer ??= setTimeout(() => {
        this.askTimer = null;
        this.ask(true);
      }, wait);
    }
  }

  private stopAsking(): void {
    if (this.askTimer !== null) clearTimeout(this.askTimer);
    this.askTimer = null;
  }

  private steps(): BreadcrumbStep[] {
    const detail = this.detailTask.value;
    const city = this.city;
    const root: BreadcrumbStep = { code: 'city', name: city?.meta.name ?? t('area.city'), level: 'city' };
    if (!detail || detail.code !== this.code) return [root];
    return [root, ...detail.chain, { code: detail.code, name: detail.name, level: detail.level }];
  }

  /** The areas within, each with its own name and the name the table shows (see nameWithin). */
  private childAreas(): Array<{ code: string; name: string; shown: string }> {
    if (!this.city || this.code.length === 15) return [];
    const parent = this.city.areas.get(this.code)?.name;
    const out: Array<{ code: string; name: string; shown: string }> = [];
    for (const area of this.city.areas.values()) {
      if (area.parent === this.code) out.push({ code: area.code, name: area.name, shown: nameWithin(area.name, parent) });
    }
    return out.sort((a, b) => a.code.localeCompare(b.code));
  }

  /**
   * The areas within, one row each, with today's open and overdue counts and the rates a city sets targets for: a rate
   * is red below its target and green at or above it (over fewer than KPI_MIN_BASE it is dimmed instead, not judged).
   * A column's heading ranks the rows by it, worst first (the most
   * open or overdue, the lowest rate; an area without a figure last); pressed again, back to code order.
   */
  private renderChildren(children: Array<{ code: string; name: string; shown: string }>) {
    const targets = this.city?.kpiTargets ?? {};
    const sort = this.childSort;
    const state = this.state;
    // each area's figures as the header draws them (value, tone against the target, too few to judge), by column
    const figures = new Map(children.map((c) => [c.code, new Map(kpiFigures(state ? kpis(state, c.code, this.now) : null, targets).map((f) => [f.key, f]))]));
    const figure = (code: string, column: ChildColumn): KpiFigure => figures.get(code)!.get(column)!;
    const value = (code: string, column: ChildColumn): number | null => figure(code, column).value;
    const rows =
      sort === null
        ? children
        : [...children].sort((a, b) => {
            const x = value(a.code, sort), y = value(b.code, sort);
            if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
            return (isRate(sort) ? x - y : y - x) || a.code.localeCompare(b.code);
          });
    const cell = (code: string, column: ChildColumn) => {
      const f = figure(code, column);
      if (f.value === null) return html`<td class="num muted" data-column=${column} data-value="">${figureText(f)}</td>`;
      const tone = f.tone ?? 'plain';
      // a rate over too few to judge says so on hover, and reads dimmed
      const title = f.few !== undefined ? t('desk.children.few', { base: f.few, min: KPI_MIN_BASE }) : nothing;
      return html`<td class="num ${tone} ${f.few !== undefined ? 'muted' : ''}" data-column=${column} data-value=${String(f.value)} data-tone=${tone} title=${title}>
        ${figureText(f)}
      </td>`;
    };
    return html`<h3>${t('desk.children')} · ${t('desk.children.today')}</h3>
      <table data-children data-sort=${sort ?? 'code'}>
        <thead>
          <tr>
            <th scope="col">${t('desk.children.area')}</th>
            ${CHILD_COLUMNS.map(
              (column) => html`<th scope="col" data-column=${column} aria-sort=${sort === column ? (isRate(column) ? 'ascending' : 'descending') : 'none'}>
                <button title="${t(`kpi.${column}`)}: ${t('desk.children.rank')}" @click=${() => (this.childSort = sort === column ? null : column)}>${t(`desk.children.${column}`)}</button>
              </th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (c) => html`<tr data-code=${c.code}>
              <td><button data-code=${c.code} title=${c.name} @click=${() => this.dispatchEvent(new AreaSelectEvent(c.code))}>${c.shown}</button></td>
              ${CHILD_COLUMNS.map((column) => cell(c.code, column))}
            </tr>`,
          )}
        </tbody>
      </table>`;
  }

  override render() {
    const detail = this.detailTask.value?.code === this.code ? this.detailTask.value : undefined;
    const desk = this.deskTask.value?.code === this.code ? this.deskTask.value : undefined;
    const selectCase = (id: string) => () => this.dispatchEvent(new CaseSelectEvent(id));
    const children = this.childAreas();
    return html`
      <header>
        <gw-breadcrumb .steps=${this.steps()}></gw-breadcrumb>
        <h2 data-area-name>${detail?.name ?? this.city?.areas.get(this.code)?.name ?? this.code}</h2>
        <div class="row">
          <span class="muted">${t(LEVEL_KEYS[detail?.level ?? ''] ?? 'desk.level.grid')}</span>
          <span class="code" data-area-code>${this.code}</span>
        </div>
        ${detail && detail.households !== undefined
          ? html`<dl>
              <dt>${t('desk.households')}</dt><dd class="num" data-households>${detail.households.toLocaleString('en-US')}</dd>
              <dt>${t('desk.population')}</dt><dd class="num" data-population>${detail.population?.toLocaleString('en-US')}</dd>
            </dl>`
          : nothing}
      </header>
      ${this.at !== null && desk ? html`<p class="muted" data-desk-at=${desk.at}>${t('desk.asOf', { time: clockDateTime(desk.at) })}</p>` : nothing}
      ${this.detailTask.render({ error: (e) => html`<p class="error" role="alert">${deskErrorText(e)}</p>` })}
      ${detail?.staff
        ? html`<h3>${t('desk.staff')}</h3>
            <ul data-staff>
              ${detail.staff.length === 0 ? html`<li class="muted">${t('desk.none')}</li>` : nothing}
              ${detail.staff.map(
                (s) => html`<li data-role=${s.role}>
                  <span class="role">${t(ROLE_KEYS[s.role] ?? 'desk.role.worker')}</span>
                  <span>${s.name}</span>
                  <a class="num" href="tel:${s.phone}">${s.phone}</a>
                </li>`,
              )}
            </ul>`
        : nothing}
      ${children.length > 0 ? this.renderChildren(children) : nothing}
      <h3>${t('desk.open', { count: this.open.length })}</h3>
      <ul data-open-cases>
        ${this.open.length === 0 ? html`<li class="muted">${t('desk.none')}</li>` : nothing}
        ${this.open.slice(0, OPEN_LISTED).map(
          (c) => html`<li class="case" data-incident=${c.id}>
            <button class="link ellipsis" @click=${selectCase(c.id)}>${c.title ?? categoryName(c.category)}</button>
            <span class="muted">${t(`status.${c.status}` as MessageKey)}</span>
            <gw-deadline-timer .deadline=${c.deadline} .dispatchedAt=${c.dispatchedAt} .status=${c.status} .resolvedAt=${c.resolvedAt} .now=${this.now}></gw-deadline-timer>
          </li>`,
        )}
        ${this.open.length > OPEN_LISTED
          ? html`<li class="muted" data-open-more>${t('desk.open.more', { count: (this.open.length - OPEN_LISTED).toLocaleString('en-US') })}</li>`
          : nothing}
      </ul>
      <h3>${t('desk.closed')}</h3>
      <ul data-closed-cases>
        ${desk && desk.closed.length === 0 ? html`<li class="muted">${t('desk.none')}</li>` : nothing}
        ${(desk?.closed ?? []).slice(0, 10).map(
          (c) => html`<li data-incident=${c.id}>
            <span class="muted">${c.closedAt ? dayTime(c.closedAt, desk?.at ?? this.now) : ''}</span>
            <button class="link ellipsis" @click=${selectCase(c.id)}>${c.title ?? categoryName(c.category)}</button>
            <span aria-label=${t('desk.satisfaction')}>${c.satisfaction ? '★'.repeat(c.satisfaction) : t('desk.unrated')}</span>
          </li>`,
        )}
      </ul>
      <h3>${t('desk.departments')}</h3>
      <ul data-departments>
        ${desk && desk.departments.length === 0 ? html`<li class="muted">${t('desk.none')}</li>` : nothing}
        ${(desk?.departments ?? []).map((d) => {
          const name = localName(this.city?.departmentByCode.get(d.department), d.department);
          return html`<li class="department" data-department=${d.department}>
            <span class="ellipsis" title=${name}>${name}</span>
            <span class="muted num">${t('desk.departments.arrived', { arrived: d.arrived, summoned: d.summoned })}</span>
            <span class="num late" ?data-late=${d.late > 0}>${d.late > 0 ? t('desk.departments.late', { count: d.late }) : ''}</span>
            <span class="muted num">${d.meanReportMinutes === null ? '' : t('desk.departments.mean', { time: duration(d.meanReportMinutes * 60_000) })}</span>
          </li>`;
        })}
        ${desk && desk.departmentsSummoned > desk.departments.length
          ? html`<li class="muted" data-departments-more>${t('desk.departments.more', { count: desk.departmentsSummoned - desk.departments.length })}</li>`
          : nothing}
      </ul>
      <h3>${t('desk.centres')}</h3>
      <ul data-centres>
        ${desk && desk.serviceCentres.length === 0 ? html`<li class="muted">${t('desk.centres.none')}</li>` : nothing}
        ${(desk?.serviceCentres ?? []).map(
          (c) => html`<li data-centre=${c.id}>
            <span class="ellipsis">${c.name}</span>
            <span class="muted num">${c.own ? t('desk.centres.own') : t('desk.centres.distance', { m: c.distanceM })}</span>
          </li>`,
        )}
      </ul>
      ${this.deskTask.render({ error: (e) => html`<p class="error" role="alert">${deskErrorText(e)}</p>` })}
      <gw-public-board .board=${desk?.board ?? null} .at=${desk?.at ?? this.now}></gw-public-board>
    `;
  }
}

/**
 * A child area's name without its parent's that it repeats (三合营社区第2网格 within 三合营社区 → 第2网格): the table's
 * narrow first column cut every grid of a community to the same 三合营社区第…. The whole name stays in the tooltip.
 */
export function nameWithin(name: string, parent: string | undefined): string {
  return parent !== undefined && name.length > parent.length && name.startsWith(parent) ? name.slice(parent.length) : name;
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-area-panel': GwAreaPanel;
  }
}
