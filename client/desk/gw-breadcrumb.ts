/**
 * The chain of responsibility as a breadcrumb: 市 › 区 › 街道 › 社区 › 网格. Each step but the last is a button that
 * drills up to that level (an `area-select` event); the last names where the officer is.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { AreaSelectEvent } from '../events/area-select-event';
import { deskStyles } from './desk-styles';

export interface BreadcrumbStep {
  code: string;
  name: string;
  level: string;
}

@customElement('gw-breadcrumb')
export class GwBreadcrumb extends LitElement {
  static override styles = [
    deskStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.15em 0.35em;
        align-items: baseline;
      }
      li + li::before {
        content: '›';
        color: #60a5fa;
        margin-right: 0.35em;
      }
      [aria-current] {
        font-weight: 600;
        color: #fff;
      }
    `,
  ];

  /** city first, the current area last */
  @property({ attribute: false }) steps: BreadcrumbStep[] = [];

  override render() {
    const last = this.steps.length - 1;
    return html`<nav aria-label="breadcrumb">
      <ol>
        ${this.steps.map((step, i) =>
          i === last
            ? html`<li><span aria-current="location" data-code=${step.code} data-level=${step.level}>${step.name}</span></li>`
            : html`<li>
                <button class="link" data-code=${step.code} data-level=${step.level} @click=${() => this.dispatchEvent(new AreaSelectEvent(step.code))}>${step.name}</button>
              </li>`,
        )}
      </ol>
    </nav>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-breadcrumb': GwBreadcrumb;
  }
}
