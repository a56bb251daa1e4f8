/**
 * The legend: what each colour means, and a switch per layer. In kiosk mode (`?wall=1`) it is a key only: no
 * controls on an unattended wall. On a phone it starts folded to its title, which unfolds it, so that the map is not
 * hidden under it.
 *
 * Under the switches, the map's focus (map-focus.ts): a category group to show alone, and, while a focus holds, what
 * it is, how many cases the map shows in it, and a button that clears it (a kiosk wall shows the line alone).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { LayerToggleEvent } from '../events/layer-toggle-event';
import { FocusChangeEvent } from '../events/focus-change-event';
import { localName, t, type MessageKey } from '../i18n/index';
import { CATEGORY_GROUPS } from '../../protocol/catalogues';
import { focusActive, focusKey, groupEntry, isCategoryGroup, NO_FOCUS, type MapFocus } from '../map/map-focus';
import { STATUS_COLOURS, TIER_COLOURS, cssColour } from '../live/incident-style';
import { LAYER_KEYS, type LayerKey, type LayerToggles } from '../map/layer-toggles';
import { PHONE_QUERY } from '../phone';
import { styleProps } from './style-props';
import { panelStyles } from './theme';

const LABELS: Record<LayerKey, MessageKey> = {
  gridLoad: 'legend.gridLoad',
  incidents: 'legend.incidents',
  hexagons: 'legend.hexagons',
  whistles: 'legend.whistles',
  serviceCentres: 'legend.serviceCentres',
  serviceCircles: 'legend.serviceCircles',
  coverageGaps: 'legend.coverageGaps',
  departments: 'legend.departments',
};

const SWATCH: Record<LayerKey, string> = {
  gridLoad: 'linear-gradient(90deg, rgba(20,110,150,.5), rgba(245,170,30,.8), rgba(220,38,38,.9))',
  incidents: cssColour(STATUS_COLOURS.dispatched),
  hexagons: 'linear-gradient(90deg, #0e3c66, #2da0aa, #f5be3c, #ef4444)',
  whistles: `linear-gradient(90deg, ${cssColour(TIER_COLOURS.community)}, ${cssColour(TIER_COLOURS.street)}, ${cssColour(TIER_COLOURS.district)})`,
  serviceCentres: '#ff6060',
  serviceCircles: 'rgba(250,204,21,.5)',
  coverageGaps: 'rgba(192,132,252,.8)',
  departments: '#7dd3fc',
};

@customElement('gw-legend')
export class GwLegend extends LitElement {
  static override styles = [
    panelStyles,
    css`
      .panel {
        padding: 0.6em 0.8em;
        font-size: 0.9em;
      }
      ul {
        list-style: none;
        margin: 0.4em 0 0;
        padding: 0;
        display: grid;
        gap: 0.25em;
      }
      label {
        display: flex;
        align-items: center;
        gap: 0.5em;
        white-space: nowrap;
        cursor: pointer;
      }
      :host([kiosk]) label {
        cursor: none;
      }
      input {
        width: 1em;
        height: 1em;
        margin: 0;
        accent-color: #3b82f6;
      }
      .swatch {
        width: 1.6em;
        height: 0.7em;
        border-radius: 0.2em;
        flex: none;
      }
      .off {
        opacity: 0.4;
      }
      .statuses {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2em 0.6em;
        margin-top: 0.45em;
        font-size: 0.85em;
        color: #9db0d0;
        max-width: 22em;
      }
      .statuses span::before {
        content: '●';
        margin-right: 0.2em;
        color: var(--c);
      }
      .hint {
        font-size: 0.8em;
        color: #7f97bd;
        margin-top: 0.3em;
      }
      h2 button {
        all: inherit;
        display: flex;
        align-items: center;
        gap: 0.4em;
        cursor: pointer;
      }
      h2 button::after {
        content: '▾';
        font-size: 0.8em;
        color: #7f97bd;
      }
      h2 button[aria-expanded='false']::after {
        content: '▸';
      }
      .folded h2 {
        margin: 0;
      }
      .focus:not(:empty) {
        margin-top: 0.5em;
      }
      /* on the title's row without making it taller (the select is taller than the title's text) */
      .group-pick {
        margin-block: -0.4em;
        margin-left: auto;
        padding-left: 1em;
        gap: 0.4em;
        font-size: 0.8em;
        font-weight: 400;
        letter-spacing: 0;
        color: #9db0d0;
        cursor: auto;
      }
      select {
        font: inherit;
        color: #dce8ff;
        background: #0b1a33;
        border: 1px solid #2b4a7a;
        border-radius: 0.25em;
        padding: 0 0.3em;
        max-width: 14em;
      }
      .focus-on {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.3em 0.5em;
        padding: 0.25em 0.5em;
        border-radius: 0.3em;
        background: rgba(250, 204, 21, 0.12);
        border: 1px solid rgba(250, 204, 21, 0.55);
        color: #fde68a;
        max-width: 22em;
      }
      .focus-on button {
        font: inherit;
        font-size: 0.9em;
        color: #fde68a;
        background: transparent;
        border: 1px solid rgba(250, 204, 21, 0.55);
        border-radius: 0.25em;
        padding: 0 0.4em;
        cursor: pointer;
      }
      .focus-mark {
        font-size: 0.85em;
        color: #fde68a;
        margin-left: 0.3em;
      }
    `,
  ];

  @property({ attribute: false }) toggles!: LayerToggles;
  @property({ type: Boolean, reflect: true }) kiosk = false;
  /** the map's focus */
  @property({ attribute: false }) mapFocus: MapFocus = NO_FOCUS;
  /** playback's cumulative heatmap is showing: it counts every case reported by t, which the legend says under a focus */
  @property({ type: Boolean }) heat = false;
  /** how many cases the map shows in the focus (null: not counted) */
  @property({ attribute: false }) shown: number | null = null;

  /** Folded to its title (a phone); never on a kiosk wall, which nobody can unfold. */
  @state() private folded = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.folded = !this.kiosk && matchMedia(PHONE_QUERY).matches;
  }

  override render() {
    const statuses = ['reported', 'dispatched', 'in_progress', 'resolved', 'closed', 'overdue'] as const;
    const title = this.kiosk
      ? t('legend.title')
      : html`<button type="button" aria-expanded=${String(!this.folded)} @click=${() => (this.folded = !this.folded)}>${t('legend.title')}</button>`;
    if (this.folded) {
      return html`<section class="panel folded" data-folded>
        <h2>${title}${focusActive(this.mapFocus) ? html`<span class="focus-mark" data-focus-mark>${t('focus.title')}</span>` : nothing}</h2>
      </section>`;
    }
    return html`<section class="panel">
      <h2>${title}${this.groupPicker()}</h2>
      <ul>
        ${LAYER_KEYS.map(
          (key) => html`<li class=${this.toggles[key] ? '' : 'off'}>
            <label>
              ${this.kiosk
                ? ''
                : html`<input
                    type="checkbox"
                    data-layer=${key}
                    .checked=${this.toggles[key]}
                    @change=${(e: Event) => this.dispatchEvent(new LayerToggleEvent(key, (e.target as HTMLInputElement).checked))}
                  />`}
              <span class="swatch" style=${styleProps({ background: SWATCH[key] })}></span>${t(LABELS[key])}
            </label>
          </li>`,
        )}
      </ul>
      <div class="statuses">
        ${statuses.map((s) => html`<span style=${styleProps({ '--c': cssColour(STATUS_COLOURS[s]) })}>${t(`status.${s}`)}</span>`)}
      </div>
      <div class="hint">${t('legend.whistles.hint')}</div>
      ${this.renderFocus()}
    </section>`;
  }

  /** The category group to focus on, on the title's row (so the legend is no taller for it); none on a kiosk wall. */
  private groupPicker() {
    if (this.kiosk) return nothing;
    const focus = this.mapFocus;
    // no label beside it (its first option, 全部类别, says what it picks): the legend is no wider for it
    return html`<label class="group-pick"
      ><select data-focus-group aria-label=${t('focus.group')} title=${t('focus.group')} @change=${(e: Event) => this.changeGroup((e.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${focus.group === null}>${t('focus.allGroups')}</option>
        ${CATEGORY_GROUPS.map((g) => html`<option value=${g.code} ?selected=${focus.group === g.code}>${localName(g, g.code)}</option>`)}
      </select></label
    >`;
  }

  /** While a focus holds: what it is, how many cases of the area the map shows in it, and a button that clears it. */
  private renderFocus() {
    const focus = this.mapFocus;
    if (!focusActive(focus)) return html`<div class="focus" data-focus=""></div>`;
    const parts = [
      ...(focus.state ? [t(`focus.state.${focus.state}`)] : []),
      ...(focus.group ? [localName(groupEntry(focus.group), focus.group)] : []),
    ];
    return html`<div class="focus" data-focus=${focusKey(focus)}>
      <div class="focus-on" role="status">
        <span>${t('focus.on', { what: parts.join(' · ') })}</span>
        ${this.shown === null ? nothing : html`<span class="num" data-focus-shown=${this.shown}>${t('focus.shown', { count: this.shown.toLocaleString() })}</span>`}
        ${this.heat ? html`<span class="hint" data-focus-heat>${t('focus.heat')}</span>` : nothing}
        ${this.kiosk ? nothing : html`<button type="button" data-focus-clear @click=${() => this.dispatchEvent(new FocusChangeEvent({ state: null, group: null }))}>${t('focus.clear')}</button>`}
      </div>
    </div>`;
  }

  private changeGroup(value: string): void {
    this.dispatchEvent(new FocusChangeEvent({ group: isCategoryGroup(value) ? value : null }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-legend': GwLegend;
  }
}
