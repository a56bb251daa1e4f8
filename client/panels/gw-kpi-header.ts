/**
 * The KPI strip: today's cases, open, overdue, response / resolution / on-time / satisfaction rates, whistles by
 * tier and the mean time to report. Figures come from the shared `kpis()` (protocol/kpi.ts), the same function the
 * server answers `/api/v1/kpis` with. Each figure carries `data-kpi` and its exact `data-value` for tests and
 * screen readers; the visible number animates.
 *
 * Off a kiosk wall the 在办 and 超期 tiles are buttons: one focuses the map on those cases (map-focus.ts), again
 * shows every case. The tile in focus is outlined and `aria-pressed`.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { AreaKpis } from '../../protocol/kpi';
import { t } from '../i18n/index';
import { TIER_COLOURS, cssColour } from '../live/incident-style';
import { figureText, kpiFigures, targetText, type KpiFigure } from './kpi-figures';
import { KPI_MIN_BASE, type KpiTargets } from '../../protocol/kpi';
import { styleProps } from './style-props';
import { FocusChangeEvent } from '../events/focus-change-event';
import { FOCUS_STATES, type FocusState } from '../map/map-focus';
import { panelStyles } from './theme';
import './gw-animated-number';

@customElement('gw-kpi-header')
export class GwKpiHeader extends LitElement {
  static override styles = [
    panelStyles,
    css`
      :host {
        container-type: inline-size;
      }
      .strip {
        display: grid;
        /* the whistles block takes the width its three tiers need (never clipped, in any language); the figures share the rest */
        grid-template-columns: repeat(9, minmax(0, 1fr)) auto;
        gap: 0.5em;
        height: 5.6em;
      }
      .figure {
        padding: 0.45em 0.8em 0.5em;
        display: flex;
        flex-direction: column;
        justify-content: center;
        min-width: 0;
      }
      .head {
        display: flex;
        align-items: baseline;
        gap: 0.4em;
        min-width: 0;
      }
      .label {
        font-size: 0.95em;
        color: #8ea7cf;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
        min-width: 0;
      }
      .target {
        margin-left: auto;
        flex: none;
        font-size: 0.75em;
        color: #6f86ab;
        white-space: nowrap;
      }
      .value {
        font-size: 2.3em;
        font-weight: 700;
        line-height: 1.1;
        color: #f1f6ff;
        white-space: nowrap;
      }
      .value small,
      .unit {
        font-size: 0.45em;
        font-weight: 400;
        color: #8ea7cf;
        margin-left: 0.15em;
      }
      .alert .value {
        color: #ff5a5a;
        text-shadow: 0 0 0.4em rgba(255, 60, 60, 0.45);
      }
      .good .value {
        color: #5ee6a8;
      }
      button.figure {
        font: inherit;
        color: inherit;
        text-align: left;
        cursor: pointer;
      }
      button.figure:hover {
        border-color: rgba(125, 211, 252, 0.6);
      }
      .figure[aria-pressed='true'] {
        border-color: rgba(250, 204, 21, 0.9);
        box-shadow: inset 0 0 0 1px rgba(250, 204, 21, 0.6), 0 0 0.8em rgba(250, 204, 21, 0.25);
      }
      .tiers {
        display: flex;
        gap: 0.7em;
        align-items: baseline;
        overflow: hidden;
      }
      .tier {
        display: flex;
        align-items: baseline;
        gap: 0.3em;
        font-size: 2.1em;
        font-weight: 700;
      }
      .tier .name {
        font-size: 0.36em;
        font-weight: 400;
        white-space: nowrap;
      }
      /* Too narrow for ten figures in a row, every label whole (English's longest, "Depts on time" with its target,
         needs 115.7 em; a 1280 px screen at the smallest font the wall uses, 11 px, has 115.3; 1024×768 far less):
         two rows of six columns, rather than clipped numbers or labels. Six figures fill the first row; the other
         three and the whistles block, three columns wide (a fifth of the strip cut the last tier's name once a count
         had three digits), fill the second. This block comes last in the sheet: a container query adds no
         specificity, so a base rule after it would win. */
      @container (max-width: 117em) {
        .strip {
          grid-template-columns: repeat(6, minmax(0, 1fr));
          grid-auto-rows: 4.6em;
          height: auto;
        }
        .whistles {
          grid-column: span 3;
        }
      }
      /* A phone (390 px at the 11 px floor is 35 em): three columns, the whistles block a row of its own. */
      @container (max-width: 60em) {
        .strip {
          grid-template-columns: repeat(3, minmax(0, 1fr));
          grid-auto-rows: 4.4em;
        }
        .figure {
          padding: 0.35em 0.5em;
        }
        .value {
          font-size: 1.9em;
        }
        .whistles {
          grid-column: 1 / -1;
        }
      }
    `,
  ];

  @property({ attribute: false }) kpis: AreaKpis | null = null;
  /** the server's target per rate (`kpiTargets` of GET /api/v1/city): a rate is drawn green at or above it, red below */
  @property({ attribute: false }) targets: Readonly<KpiTargets> = {};
  /** tiles that focus the map (在办, 超期) are buttons; not on a kiosk wall */
  @property({ type: Boolean }) interactive = false;
  /** the state the map is focused on, whose tile is drawn pressed */
  @property({ attribute: false }) focusState: FocusState | null = null;

  override render() {
    const k = this.kpis;
    const figures = kpiFigures(k, this.targets);
    return html`<div class="strip">
      ${figures.map((f) => this.renderFigure(f))}
      <div class="figure panel whistles" data-kpi="whistlesToday" data-value=${k ? JSON.stringify(k.whistlesToday) : ''}>
        <div class="label">${t('kpi.whistlesToday')}</div>
        <div class="tiers num">
          ${(['community', 'street', 'district'] as const).map(
            (tier) => html`<span class="tier" style=${styleProps({ color: cssColour(TIER_COLOURS[tier]) })} data-tier=${tier}>
              <gw-animated-number .value=${k?.whistlesToday[tier] ?? null}></gw-animated-number>
              <span class="name">${t(`tier.short.${tier}`)}</span>
            </span>`,
          )}
        </div>
      </div>
    </div>`;
  }

  private renderFigure(f: KpiFigure) {
    const focusable = this.interactive && (FOCUS_STATES as string[]).includes(f.key);
    const body = html`<div class="head">
        <span class="label">${t(f.label)}</span>${f.target === undefined
          ? nothing
          : html`<span class="target num">${t('kpi.target', { target: targetText(f.target) })}</span>`}
      </div>
      <div class="value num">
        <gw-animated-number .value=${f.value} .digits=${f.digits ?? 0} ?percent=${f.percent ?? false}></gw-animated-number>${f.unit && f.value !== null
          ? html`<span class="unit">${t(f.unit)}</span>`
          : nothing}
      </div>`;
    if (focusable) {
      const state = f.key as FocusState;
      const pressed = this.focusState === state;
      return html`<button
        type="button"
        class="figure panel ${f.tone ?? 'plain'}"
        data-kpi=${f.key}
        data-value=${f.value === null ? '' : String(f.value)}
        data-tone=${f.tone ?? 'plain'}
        aria-pressed=${String(pressed)}
        title=${t(pressed ? 'focus.tileOn' : 'focus.tile')}
        @click=${() => this.dispatchEvent(new FocusChangeEvent({ state: pressed ? null : state }))}
      >
        ${body}
      </button>`;
    }
    return html`<div
      class="figure panel ${f.tone ?? 'plain'}"
      data-kpi=${f.key}
      data-value=${f.value === null ? '' : String(f.value)}
      data-tone=${f.tone ?? 'plain'}
      data-few=${f.few === undefined ? nothing : String(f.few)}
      data-target=${f.target === undefined ? nothing : String(f.target)}
      title=${f.target === undefined ? nothing : targetTitle(f)}
    >
      ${body}
    </div>`;
  }
}

/** The tooltip of a rate with a target: whether its figure meets it, in words. */
function targetTitle(f: KpiFigure): string {
  const params = { label: t(f.label), value: figureText(f), target: targetText(f.target!) };
  if (f.few !== undefined) return t('kpi.targetFew', { ...params, base: f.few, min: KPI_MIN_BASE });
  return f.tone === 'alert' ? t('kpi.targetMissed', params) : f.tone === 'good' ? t('kpi.targetMet', params) : `${t(f.label)} ${t('kpi.target', { target: params.target })}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-kpi-header': GwKpiHeader;
  }
}
