/**
 * The playback timeline bar: a histogram of activity over the range (from the aggregate endpoint) with the cursor at
 * t (click or drag to jump), play/pause, speeds 1×…3600×, step to the previous or next event, jump to a date/time, loop, the
 * cumulative mode (a heatmap, or a per-grid choropleth of counts, overdue rate or satisfaction, with its legend), the
 * CSV export, the WebM export (its own range and speed, progress, cancel), and "back to live". When no range is open it offers one (the last 24 h by
 * default). The keyboard drives it too (playback-keys.ts): on the focused timeline, and on the page where a key means
 * nothing else. Every action is a PlaybackCommandEvent; the element holds no playback state of its own.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { t } from '../i18n/index';
import { panelStyles } from '../panels/theme';
import { cityInputTime, clockDateTime, fromCityInputTime } from '../panels/format';
import { styleProps } from '../panels/style-props';
import { CHOROPLETH_METRICS, type ChoroplethLegend, type ChoroplethMetric } from '../map/layers/grid-choropleth';
import type { HistoryAggregate } from './history-loader';
import type { PlaybackMode } from '../../protocol/history-api';
import { PlaybackCommandEvent, type PlaybackCommand } from './playback-command-event';
import { PLAYBACK_SPEEDS, type PlaybackView } from './playback-url';
import { PLAYBACK_KEYS, playbackKeyCommand } from './playback-keys';

const HOUR = 3_600_000;

@customElement('gw-timeline-bar')
export class GwTimelineBar extends LitElement {
  static override styles = [
    panelStyles,
    css`
      /* over the top of the map: compact when closed, the map's width when a range is open */
      :host {
        display: block;
        position: absolute;
        top: 0.5em;
        left: 0.6em;
        max-width: calc(100% - 1.2em);
        z-index: 3;
        font-size: 0.9em;
      }
      :host([open]) {
        right: 0.6em;
      }
      /* One row (the controls, the histogram between, the jump box and the buttons on the right) while it fits with
         a histogram at least 14em wide; on a narrow map (1024×768, English) the buttons wrap to a row of their own,
         right-aligned, and the histogram takes the rest of the first, rather than the buttons running off the map */
      .panel {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4em 0.8em;
        padding: 0.4em 0.8em;
      }
      .controls,
      .right {
        flex: none;
        max-width: 100%;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4em;
        white-space: nowrap;
      }
      .right {
        margin-left: auto;
      }
      .spacer {
        flex: 1 1 0;
      }
      button,
      select,
      input {
        font: inherit;
        color: #dbe7ff;
        background: rgba(30, 58, 110, 0.6);
        border: 1px solid rgba(96, 165, 250, 0.4);
        border-radius: 0.3em;
        padding: 0.15em 0.5em;
      }
      button[aria-pressed='true'] {
        background: rgba(59, 130, 246, 0.7);
      }
      svg {
        flex: 1 1 14em;
        min-width: 14em;
        height: 2.6em;
        cursor: pointer;
        display: block;
      }
      .step-area {
        display: inline-block;
        max-width: 7em;
        overflow: hidden;
        text-overflow: ellipsis;
        vertical-align: bottom;
        margin-left: 0.35em;
        color: #fde68a;
      }
      svg:focus-visible {
        outline: 2px solid #fde68a;
        outline-offset: 2px;
      }
      .clock {
        font-variant-numeric: tabular-nums;
        font-size: 1.15em;
        color: #fde68a;
      }
      .status {
        flex-basis: 100%;
        color: #7f97bd;
        font-size: 0.85em;
      }
      .error {
        color: #fca5a5;
      }
      .export,
      .legend {
        flex-basis: 100%;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4em 0.8em;
        font-size: 0.9em;
      }
      .legend .ramp {
        display: inline-block;
        width: 10em;
        height: 0.8em;
        border-radius: 0.2em;
      }
      progress {
        width: 12em;
      }
    `,
  ];

  @property({ attribute: false }) view: PlaybackView | null = null;
  /** reflects whether a range is open (for the host's layout) */
  @property({ type: Boolean, reflect: true }) open = false;
  @property({ attribute: false }) aggregate: HistoryAggregate | null = null;
  @property({ type: Boolean }) loading = false;
  @property({ attribute: false }) error: string | null = null;
  @property({ type: Number }) events = 0;
  /** at most how many events the range holds (0: not known yet), and the playback mode (protocol/history-api.ts) */
  @property({ type: Number }) expected = 0;
  @property({ attribute: false }) mode: PlaybackMode = 'detailed';
  @property({ type: Boolean }) recording = false;
  /** fraction of the running WebM export, 0…1 */
  @property({ type: Number }) exportProgress = 0;
  @property({ type: Boolean }) exportCancelled = false;
  /** the cumulative view's choropleth figure (null: heatmap) and its legend */
  @property({ attribute: false }) choroplethMetric: ChoroplethMetric | null = null;
  @property({ attribute: false }) legend: ChoroplethLegend | null = null;
  /** the name of the area the desk is on, whose events the steps land on (null: the whole range's) */
  @property({ attribute: false }) stepArea: string | null = null;
  /** the WebM export row is open; its range and speed (null: the open range's, the playback speed) */
  @state() private exportOpen = false;
  @state() private exportFrom: number | null = null;
  @state() private exportTo: number | null = null;
  @state() private exportSpeed: number | null = null;
  @state() private openFrom = Date.now() - 24 * HOUR;
  @state() private openTo = Date.now();

  private send(command: PlaybackCommand): void {
    this.dispatchEvent(new PlaybackCommandEvent(command));
  }

  /** A step button's name: "next event", or "next event in 五华区" while the desk is on an area. */
  private stepLabel(key: 'playback.step' | 'playback.stepBack'): string {
    return this.stepArea ? t(key === 'playback.step' ? 'playback.stepIn' : 'playback.stepBackIn', { area: this.stepArea }) : t(key);
  }

  private readonly onKey = (event: KeyboardEvent): void => {
    const command = this.view && !this.recording ? playbackKeyCommand(event, this.view) : null;
    if (!command) return;
    event.preventDefault();
    this.send(command);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onKey);
    super.disconnectedCallback();
  }

  private seekFromPointer(event: PointerEvent): void {
    const view = this.view;
    if (!view || (event.type === 'pointermove' && event.buttons !== 1)) return;
    const box = (event.currentTarget as SVGElement).getBoundingClientRect();
    const k = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    this.send({ kind: 'seek', t: view.from + k * (view.to - view.from) });
  }

  private histogram(view: PlaybackView) {
    const counts = this.aggregate?.events ?? [];
    const max = Math.max(1, ...counts);
    const n = Math.max(1, counts.length);
    const cursor = ((view.t - view.from) / Math.max(1, view.to - view.from)) * 1000;
    return svg`
      <svg viewBox="0 0 1000 100" preserveAspectRatio="none" role="slider" tabindex="0" aria-label=${t('playback.scrub')}
        aria-valuemin=${view.from} aria-valuemax=${view.to} aria-valuenow=${Math.round(view.t)} aria-valuetext=${clockDateTime(view.t)}
        aria-keyshortcuts=${PLAYBACK_KEYS.slider} title=${t('playback.keys')}
        @pointerdown=${(e: PointerEvent) => this.seekFromPointer(e)} @pointermove=${(e: PointerEvent) => this.seekFromPointer(e)}>
        <rect x="0" y="0" width="1000" height="100" fill="rgba(15,30,60,0.6)"></rect>
        ${counts.map((c, i) => svg`<rect x=${(i / n) * 1000} width=${Math.max(1, 1000 / n - 0.5)} y=${100 - (c / max) * 95} height=${(c / max) * 95} fill="rgba(56,189,248,0.7)"></rect>`)}
        <rect x="0" y="0" width=${cursor} height="100" fill="rgba(253,230,138,0.12)"></rect>
        <line x1=${cursor} x2=${cursor} y1="0" y2="100" stroke="#fde68a" stroke-width="3"></line>
      </svg>`;
  }

  /** Cumulative mode: heatmap or a per-grid figure, and the choropleth's legend. */
  private cumulativeRow() {
    const legend = this.choroplethMetric ? this.legend : null;
    const label = (x: number) => (legend?.metric === 'overdue' ? `${Math.round(x * 100)}%` : legend?.metric === 'satisfaction' ? x.toFixed(1) : String(Math.round(x)));
    return html`<div class="legend" data-legend=${legend ? legend.metric : 'heat'}>
      <label>${t('playback.view.label')}
        <select data-action="choropleth" @change=${(e: Event) => {
          const value = (e.target as HTMLSelectElement).value;
          this.send({ kind: 'choropleth', metric: value === 'heat' ? null : (value as ChoroplethMetric) });
        }}>
          <option value="heat" ?selected=${this.choroplethMetric === null}>${t('playback.view.heat')}</option>
          ${CHOROPLETH_METRICS.map((m) => html`<option value=${m} ?selected=${this.choroplethMetric === m}>${t(`playback.view.${m}`)}</option>`)}
        </select>
      </label>
      ${legend
        ? html`<span data-legend-low=${legend.low}>${label(legend.low)}</span>
            <span class="ramp" style=${styleProps({ background: `linear-gradient(to right, ${legend.stops.join(', ')})` })}></span>
            <span data-legend-high=${legend.high}>${label(legend.high)}</span>`
        : nothing}
    </div>`;
  }

  /** The WebM export: its range (inside the open range) and speed, the expected length, progress and cancel. */
  private exportRow(view: PlaybackView) {
    const clamp = (x: number) => Math.min(view.to, Math.max(view.from, x));
    const from = clamp(this.exportFrom ?? view.from);
    const to = clamp(this.exportTo ?? view.to);
    const speed = this.exportSpeed ?? view.speed;
    const seconds = Math.max(0, (to - from) / speed / 1000);
    if (this.recording) {
      const percent = Math.floor(this.exportProgress * 100);
      return html`<div class="export" data-export="recording">
        <span>${t('playback.export.title')}</span>
        <progress data-export-progress max="1" .value=${this.exportProgress}></progress>
        <span>${t('playback.export.progress', { percent })}</span>
        <button data-action="webm-cancel" @click=${() => this.send({ kind: 'export-cancel' })}>${t('playback.export.cancel')}</button>
      </div>`;
    }
    return html`<div class="export" data-export="idle">
      <span>${t('playback.export.title')}</span>
      <label>${t('playback.from')} <input data-export-from type="datetime-local" step="1" .value=${cityInputTime(from)} @change=${(e: Event) => (this.exportFrom = fromCityInputTime((e.target as HTMLInputElement).value))} /></label>
      <label>${t('playback.to')} <input data-export-to type="datetime-local" step="1" .value=${cityInputTime(to)} @change=${(e: Event) => (this.exportTo = fromCityInputTime((e.target as HTMLInputElement).value))} /></label>
      <select data-export-speed aria-label=${t('playback.speed')} @change=${(e: Event) => (this.exportSpeed = Number((e.target as HTMLSelectElement).value))}>
        ${PLAYBACK_SPEEDS.map((s) => html`<option value=${s} ?selected=${s === speed}>${s}×</option>`)}
      </select>
      <span data-export-seconds=${seconds}>${t('playback.export.length', { s: seconds < 10 ? seconds.toFixed(1) : Math.round(seconds) })}</span>
      <button data-action="webm-record" @click=${() => this.send({ kind: 'export-webm', from, to, speed })}>${t('playback.export.record')}</button>
    </div>`;
  }

  protected override willUpdate(): void {
    this.open = this.view !== null;
  }

  override render() {
    const view = this.view;
    if (!view) {
      return html`<div class="panel" data-playback="closed">
        <div class="controls">
          <label>${t('playback.from')} <input type="datetime-local" step="1" .value=${cityInputTime(this.openFrom)} @change=${(e: Event) => (this.openFrom = fromCityInputTime((e.target as HTMLInputElement).value))} /></label>
          <label>${t('playback.to')} <input type="datetime-local" step="1" .value=${cityInputTime(this.openTo)} @change=${(e: Event) => (this.openTo = fromCityInputTime((e.target as HTMLInputElement).value))} /></label>
        </div>
        <div class="spacer"></div>
        <div class="right">
          <button data-action="open" @click=${() => this.send({ kind: 'open', from: this.openFrom, to: this.openTo })}>${t('playback.open')}</button>
          <button data-action="png" title=${t('playback.png')} @click=${() => this.send({ kind: 'export-png' })}>PNG</button>
        </div>
        ${this.error ? html`<div class="status error" role="alert">${this.error}</div>` : nothing}
      </div>`;
    }
    return html`<div class="panel" data-playback="open">
      <div class="controls">
        <button data-action="play" aria-pressed=${view.playing ? 'true' : 'false'} aria-keyshortcuts=${PLAYBACK_KEYS.play} title="${view.playing ? t('playback.pause') : t('playback.play')} (${t('playback.key.space')})"
          @click=${() => this.send({ kind: view.playing ? 'pause' : 'play' })}>
          ${view.playing ? t('playback.pause') : t('playback.play')}
        </button>
        <button data-action="step-back" aria-keyshortcuts=${PLAYBACK_KEYS.stepBack} title="${this.stepLabel('playback.stepBack')} (←)" aria-label=${this.stepLabel('playback.stepBack')}
          @click=${() => this.send({ kind: 'step', back: true })}>◀</button>
        <button data-action="step" aria-keyshortcuts=${PLAYBACK_KEYS.step} title="${this.stepLabel('playback.step')} (→)" aria-label=${this.stepLabel('playback.step')}
          data-step-area=${this.stepArea ?? nothing} @click=${() => this.send({ kind: 'step' })}>${t('playback.step')}${this.stepArea ? html`<span class="step-area">${this.stepArea}</span>` : nothing} ▶</button>
        <select data-action="speed" aria-label=${t('playback.speed')} @change=${(e: Event) => this.send({ kind: 'speed', speed: Number((e.target as HTMLSelectElement).value) })}>
          ${PLAYBACK_SPEEDS.map((s) => html`<option value=${s} ?selected=${s === view.speed}>${s}×</option>`)}
        </select>
        <span class="clock" data-playback-time=${Math.round(view.t)}>${clockDateTime(view.t)}</span>
      </div>
      ${this.histogram(view)}
      <div class="right">
        <input type="datetime-local" step="0.001" aria-label=${t('playback.jump')} .value=${cityInputTime(view.t, 'milliseconds')}
          @change=${(e: Event) => this.send({ kind: 'seek', t: fromCityInputTime((e.target as HTMLInputElement).value) })} />
        <button data-action="loop" aria-pressed=${view.loop ? 'true' : 'false'} @click=${() => this.send({ kind: 'loop', loop: !view.loop })}>${t('playback.loop')}</button>
        <button data-action="cumulative" aria-pressed=${view.cumulative ? 'true' : 'false'} @click=${() => this.send({ kind: 'cumulative', cumulative: !view.cumulative })}>${t('playback.cumulative')}</button>
        <button data-action="csv" @click=${() => this.send({ kind: 'export-csv' })}>CSV</button>
        <button data-action="png" title=${t('playback.png')} ?disabled=${this.recording} @click=${() => this.send({ kind: 'export-png' })}>PNG</button>
        <button data-action="webm" aria-pressed=${this.exportOpen ? 'true' : 'false'} @click=${() => (this.exportOpen = !this.exportOpen)}>${this.recording ? t('playback.recording') : 'WebM'}</button>
        <button data-action="live" @click=${() => this.send({ kind: 'live' })}>${t('playback.live')}</button>
      </div>
      ${view.cumulative ? this.cumulativeRow() : nothing} ${this.exportOpen || this.recording ? this.exportRow(view) : nothing}
      <div class="status ${this.error ? 'error' : ''}" role=${this.error ? 'alert' : nothing}>
        ${this.error ?? (this.exportCancelled && !this.recording ? t('playback.export.cancelled') : '')}
        ${this.error ? nothing : (this.loading ? t(this.expected > 0 ? 'playback.loadingOf' : 'playback.loading', { events: this.events, expected: this.expected }) : t('playback.loaded', { events: this.events }))}
        ${this.mode === 'windowed' ? html`<span data-mode="windowed">${t('playback.windowed')}</span>` : nothing}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-timeline-bar': GwTimelineBar;
  }
}
