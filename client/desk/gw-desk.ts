/**
 * The officer's desk over the wall's map: a search box and the login at the top, and, when an area or a case is
 * chosen, a side panel (<gw-area-panel> or <gw-case-detail>). It owns what is chosen and keeps it in the URL
 * (`sel`, `case`; see desk-url.ts), so every view reloads and shares, and the browser's back button steps back.
 * It tells the wall what it shows with `desk-focus` (zoom, KPI and ticker scope, highlight).
 *
 * Officers: on login (or a page opened with a session) the page's live feed moves into the officer's scope, to
 * the first allowed area (the relay refuses an officer an area outside it), by reloading the page with `area` set;
 * the desk's own `sel`/`case` are kept. While logged in, the session is checked every SESSION_CHECK_MS and when
 * the page comes back into view, without keeping it alive; once the server refuses it (expired, idle, user
 * removed), the officer is dropped and the login opens again with the server's reason.
 *
 * Keyboard: `/` jumps to search; Escape closes the case, then the panel; every control is a real button or field
 * with a visible focus ring.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { isOpenStatus, isUnresolvedStatus, type IncidentRecord } from '../../protocol/transition';
import { AreaSelectEvent } from '../events/area-select-event';
import { CaseActedEvent } from '../events/case-acted-event';
import { CaseSelectEvent } from '../events/case-select-event';
import { DeskFocusEvent, type DeskFocus } from '../events/desk-focus-event';
import { SessionChangeEvent } from '../events/session-change-event';
import type { CityModel } from '../geo/city-model';
import { t } from '../i18n/index';
import type { LiveModel } from '../live/live-model';
import { deskApi, type Officer } from './desk-api';
import { pushDeskLocation, readDeskLocation, scopedLocation } from './desk-url';
import { deskErrorText } from './error-text';
import { deskStyles } from './desk-styles';
import type { GwSearchBox } from './gw-search-box';
import { typingIn } from '../panels/typing';
import './gw-area-panel';
import './gw-case-detail';
import './gw-login';
import './gw-key-help';
import './gw-search-box';

/** How often a logged-in desk checks that its session still holds. */
export const SESSION_CHECK_MS = 10_000;

@customElement('gw-desk')
export class GwDesk extends LitElement {
  static override styles = [
    deskStyles,
    css`
      :host {
        position: absolute;
        inset: 0;
        z-index: 4;
        pointer-events: none;
        font-size: 1.05em;
      }
      .bar,
      aside {
        pointer-events: auto;
      }
      /* below the playback bar (issue 6), which takes the top of the map, compact or open, with as many rows as it
         shows: the wall sets --gw-below-bar to where the bar ends */
      .bar {
        position: absolute;
        left: 0.6em;
        top: var(--gw-below-bar, 4.4em);
        display: flex;
        gap: 0.5em;
        align-items: flex-start;
        max-width: calc(100% - 1.2em);
      }
      aside,
      .panel-backdrop {
        position: absolute;
        right: 0.6em;
        top: var(--gw-below-bar, 4.4em);
        /* clear of the map's zoom buttons in the bottom-right corner: the wall measures them into
           --gw-above-controls (the fallback is MapLibre's usual size, 2 × 29 px + 10 px margin) */
        bottom: var(--gw-above-controls, calc(0.6em + 78px));
        width: min(27em, 46%);
      }
      aside {
        overflow-y: auto;
        overflow-x: hidden;
        padding: 0.6em 0.8em;
      }
      /* What lies under the panel (the synthetic-data note's long line, labels) shows only as a blur, not as text
         running behind the panel's own. The blur is a box of its own behind the panel, not the panel's: Chromium
         (156, software compositing) drops keyboard scrolls (PageDown, Home, End: by turns) of a scroller with
         backdrop-filter when smooth scrolling is on, so the panel's keys would work only half the time
         (bench/key-scroll.bench.ts). */
      .panel-backdrop {
        backdrop-filter: blur(8px);
        border-radius: 0.4em;
      }
      .close {
        float: right;
        margin-left: 0.5em;
      }
      /* A phone: the map is too narrow for a panel beside anything; it takes the map's width, under the search bar. */
      @media (max-width: 599px) {
        aside,
        .panel-backdrop {
          left: 0.6em;
          width: auto;
          top: calc(var(--gw-below-bar, 4.4em) + 2.9em);
        }
      }
    `,
  ];

  /**
   * The row at the map's top left (search, log in, key help), once rendered: the wall keeps its synthetic-data note
   * clear of it.
   */
  get searchBar(): HTMLElement | null {
    return this.renderRoot?.querySelector<HTMLElement>('.bar') ?? null;
  }

  @property({ attribute: false }) city: CityModel | null = null;
  @property({ attribute: false }) model: LiveModel | null = null;
  /** server-aligned wall-clock time; the owner advances it once a second (deadline clocks) */
  @property({ type: Number }) now = Date.now();
  /** bumped by the owner when the live model changed (open lists follow it) */
  @property({ type: Number }) version = 0;
  /** the wall shows a past instant (playback): cases read as they stood then, and cannot be acted on */
  @property({ type: Boolean }) replaying = false;
  /**
   * playback: the open range (a case's steps move the wall within it); the wall passes its playback view, which a
   * newly opened range replaces (its `from` and `to` never change in place)
   */
  @property({ attribute: false }) range: { from: number; to: number } | null = null;
  @state() private area: string | null = null;
  @state() private incident: string | null = null;
  @state() private officer: Officer | null = null;
  @state() private refresh = 0;
  /** why the officer's session ended under the page, in the page's language (shown with the login) */
  @state() private sessionEnded: string | null = null;
  private sessionTimer: ReturnType<typeof setInterval> | null = null;
  @query('gw-search-box') private searchBox!: GwSearchBox | null;
  private lastFocus = '';

  private readonly onWake = () => {
    if (document.visibilityState === 'visible') void this.checkSession();
  };
  private readonly onPopState = () => this.show(readDeskLocation(location.search), false);
  private readonly onKey = (event: KeyboardEvent) => {
    const typing = typingIn(event);
    if (event.key === '/' && !typing) {
      event.preventDefault();
      this.searchBox?.focus();
    } else if (event.key === 'Escape' && !typing) {
      if (this.incident) this.show({ area: this.area, incident: null });
      else if (this.area) this.show({ area: null, incident: null });
    }
  };

  constructor() {
    super();
    this.addEventListener(AreaSelectEvent.type, (e) => this.selectArea(e.code));
    this.addEventListener(CaseSelectEvent.type, (e) => {
      if (e.incidentId) this.openCase(e.incidentId);
      else this.show({ area: this.area, incident: null });
    });
    this.addEventListener(SessionChangeEvent.type, (e) => this.setOfficer(e.officer));
    this.addEventListener(CaseActedEvent.type, () => (this.refresh += 1));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const start = readDeskLocation(location.search);
    this.area = start.area;
    this.incident = start.incident;
    window.addEventListener('popstate', this.onPopState);
    window.addEventListener('keydown', this.onKey);
    window.addEventListener('focus', this.onWake);
    document.addEventListener('visibilitychange', this.onWake);
    deskApi.session().then(
      (session) => this.setOfficer(session.officer),
      () => this.setOfficer(null),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('popstate', this.onPopState);
    window.removeEventListener('keydown', this.onKey);
    window.removeEventListener('focus', this.onWake);
    document.removeEventListener('visibilitychange', this.onWake);
    this.stopSessionChecks();
  }

  /** Who is logged in: follows the officer's scope with the live feed, and checks the session while there is one. */
  private setOfficer(officer: Officer | null): void {
    this.officer = officer;
    this.stopSessionChecks();
    if (!officer) return;
    this.sessionEnded = null;
    const scoped = scopedLocation(location.search, officer);
    if (scoped !== null) {
      location.replace(`${location.pathname}${scoped}${location.hash}`);
      return;
    }
    this.sessionTimer = setInterval(() => void this.checkSession(), SESSION_CHECK_MS);
  }

  private stopSessionChecks(): void {
    if (this.sessionTimer !== null) clearInterval(this.sessionTimer);
    this.sessionTimer = null;
  }

  /** Asks the server whether the officer's session still holds; when it does not, drops the officer with the reason. */
  private async checkSession(): Promise<void> {
    const officer = this.officer;
    if (!officer) return;
    let result: Awaited<ReturnType<typeof deskApi.session>>;
    try {
      result = await deskApi.session({ peek: true });
    } catch {
      return; // the server is out of reach: the next check asks again (the wall shows the connection state)
    }
    if (this.officer !== officer || result.officer) return;
    this.setOfficer(null);
    // no refusal: the session's cookies were cleared (a logout in another tab): not logged in any more
    this.sessionEnded = result.refusal ? deskErrorText(result.refusal) : t('desk.error.notLoggedIn');
  }

  /** Opens an area's panel (any level); `city` closes it. Used for map clicks, breadcrumb steps and search hits. */
  selectArea(code: string): void {
    this.show({ area: code === 'city' ? null : code, incident: null });
  }

  /** Opens a case's detail, within its grid (used for its rows on the desk, and for the wall's ticker and board). */
  openCase(incidentId: string): void {
    const grid = this.model?.state.incidents.get(incidentId)?.grid;
    this.show({ area: grid ?? this.area, incident: incidentId });
  }

  private show(next: { area: string | null; incident: string | null }, push = true): void {
    if (push) pushDeskLocation(next);
    this.area = next.area;
    this.incident = next.incident;
  }

  /**
   * The area's open cases from the live model, the most pressing first: those being handled by their deadline (the
   * overdue first), then those awaiting dispatch, newest first, then the resolved ones awaiting verification or
   * closure, whose clock has stopped.
   */
  private openCases(area: string): IncidentRecord[] {
    const out: IncidentRecord[] = [];
    for (const record of this.model?.state.incidents.values() ?? []) if (isOpenStatus(record.status) && record.grid.startsWith(area)) out.push(record);
    const rank = (r: IncidentRecord) => (isUnresolvedStatus(r.status) ? 0 : r.status === 'reported' || r.status === 'registered' ? 1 : 2);
    return out.sort((a, b) => rank(a) - rank(b) || (a.deadline ?? Infinity) - (b.deadline ?? Infinity) || b.reportedAt - a.reportedAt);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('area' as keyof GwDesk) && !changed.has('incident' as keyof GwDesk) && !changed.has('version')) return;
    const record = this.incident ? this.model?.state.incidents.get(this.incident) : undefined;
    const focus: DeskFocus = {
      area: this.area,
      incident: record ? { id: record.id, grid: record.grid, location: record.location } : null,
    };
    const key = JSON.stringify(focus);
    if (key === this.lastFocus) return;
    this.lastFocus = key;
    this.dispatchEvent(new DeskFocusEvent(focus));
  }

  override render() {
    const open = this.area ? this.openCases(this.area) : [];
    // the server's part of the panel (closed cases, board) is read again when an open case of the area moves on
    const openSignature = open.reduce((sum, c) => sum + c.lastSeq, 0) + open.length;
    const live = this.incident ? this.model?.state.incidents.get(this.incident) : undefined;
    return html`
      <div class="bar">
        <gw-search-box .at=${this.replaying ? this.now : null}></gw-search-box>
        <gw-login .officer=${this.officer} .notice=${this.sessionEnded}></gw-login>
        <gw-key-help></gw-key-help>
      </div>
      ${this.area || this.incident
        ? html`<div class="panel-backdrop" aria-hidden="true"></div>
            <aside class="panel" aria-label=${t('desk.panel')} data-desk-panel>
            <button class="close" data-close-panel aria-label=${t('desk.close')} @click=${() => this.show({ area: null, incident: null })}>×</button>
            ${this.incident
              ? html`<gw-case-detail
                  .incidentId=${this.incident}
                  .live=${live}
                  .revision=${(live?.lastSeq ?? 0) + this.refresh}
                  .officer=${this.officer}
                  .city=${this.city}
                  .now=${this.now}
                  ?replaying=${this.replaying}
                  .range=${this.range}
                ></gw-case-detail>`
              : html`<gw-area-panel
                  .code=${this.area ?? ''}
                  .city=${this.city}
                  .open=${open}
                  .now=${this.now}
                  .refresh=${this.refresh * 1_000_003 + openSignature}
                  .at=${this.replaying ? this.now : null}
                  .state=${this.model?.state ?? null}
                ></gw-area-panel>`}
          </aside>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-desk': GwDesk;
  }
}
