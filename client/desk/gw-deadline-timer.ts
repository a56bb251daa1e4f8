/**
 * A case's deadline clock: green / amber / red, counting down to the deadline and, once overdue, up the time over
 * ("超时 1:05:09"); stopped once the case is resolved ("按期反馈 · 提前 2:15:00", "超期反馈 0:35:00"). It renders
 * from `now`, which its owner advances once a second; it keeps no timer of its own.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { t } from '../i18n/index';
import type { IncidentStatus } from '../../protocol/events';
import { clockText, deadlineState } from './deadline';

@customElement('gw-deadline-timer')
export class GwDeadlineTimer extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }
    span {
      padding: 0 0.35em;
      border-radius: 0.25em;
      font-size: 0.9em;
    }
    [data-tone='green'] {
      color: #bbf7d0;
      background: rgba(22, 163, 74, 0.35);
    }
    [data-tone='amber'] {
      color: #fde68a;
      background: rgba(217, 119, 6, 0.4);
    }
    [data-tone='red'] {
      color: #fee2e2;
      background: rgba(220, 38, 38, 0.65);
    }
    [data-tone='met'] {
      color: #bbf7d0;
      border: 1px solid rgba(22, 163, 74, 0.6);
    }
    [data-tone='late'] {
      color: #fecaca;
      border: 1px solid rgba(220, 38, 38, 0.7);
    }
    [data-tone='none'] {
      color: #8aa0c4;
    }
  `;

  /** epoch ms; undefined before dispatch */
  @property({ type: Number }) deadline: number | undefined;
  @property({ type: Number }) dispatchedAt: number | undefined;
  /** the case's status and last resolution: a resolved case's clock shows how it ended */
  @property() status: IncidentStatus | undefined;
  @property({ type: Number }) resolvedAt: number | undefined;
  @property({ type: Number }) now = Date.now();

  override render() {
    const state = deadlineState({ status: this.status, deadline: this.deadline, dispatchedAt: this.dispatchedAt, resolvedAt: this.resolvedAt }, this.now);
    const time = state.leftMs === null ? '' : clockText(state.leftMs);
    const text =
      state.leftMs === null
        ? t(this.status === 'cancelled' ? 'status.cancelled' : 'desk.deadline.none')
        : state.tone === 'met'
          ? t('desk.deadline.met', { time })
          : state.tone === 'late'
            ? t('desk.deadline.late', { time })
            : state.leftMs <= 0
              ? t('desk.deadline.over', { time })
              : t('desk.deadline.left', { time });
    return html`<span data-tone=${state.tone} role="timer" aria-label=${text}>${text}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-deadline-timer': GwDeadlineTimer;
  }
}
