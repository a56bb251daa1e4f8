/**
 * A number that counts smoothly to its new value (≈0.6 s), so a change catches the eye from across the room.
 * `value` null shows a dash (e.g. a rate with nothing to divide by yet).
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { figureNumber } from './kpi-figures';

const DURATION_MS = 600;

@customElement('gw-animated-number')
export class GwAnimatedNumber extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      font-variant-numeric: tabular-nums;
    }
    :host([changed]) {
      animation: flash 0.9s ease-out;
    }
    @keyframes flash {
      from {
        text-shadow: 0 0 0.6em currentColor;
      }
      to {
        text-shadow: none;
      }
    }
  `;

  @property({ type: Number }) value: number | null = null;
  /** digits after the decimal point */
  @property({ type: Number }) digits = 0;
  /** multiply by 100 and show as a percentage */
  @property({ type: Boolean }) percent = false;
  @state() private shown: number | null = null;
  private frame = 0;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    cancelAnimationFrame(this.frame);
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('value')) return;
    const to = this.value;
    const from = this.shown;
    cancelAnimationFrame(this.frame);
    if (to === null || from === null || from === to || document.visibilityState === 'hidden') {
      this.shown = to;
      return;
    }
    this.toggleAttribute('changed', false);
    requestAnimationFrame(() => this.toggleAttribute('changed', true));
    const start = performance.now();
    const step = (time: number) => {
      const k = Math.min(1, (time - start) / DURATION_MS);
      const eased = 1 - (1 - k) ** 3;
      this.shown = from + (to - from) * eased;
      if (k < 1) this.frame = requestAnimationFrame(step);
    };
    this.frame = requestAnimationFrame(step);
  }

  override render() {
    if (this.shown === null) return html`—`;
    return html`${figureNumber(this.shown, this.digits, this.percent)}${this.percent ? html`<small>%</small>` : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-animated-number': GwAnimatedNumber;
  }
}
