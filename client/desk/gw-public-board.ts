/**
 * The grid's public board, 居民一家亲: 本期议题 (what residents raise most this period), 群众反映 (their latest
 * reports and where each stands) and 回音壁 (the echo wall: cases answered, how fast, and how satisfied the
 * resident was). Everything on it comes from the cases' own outcomes (GET /api/v1/desk/:code), nothing typed in.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { CaseSelectEvent } from '../events/case-select-event';
import { t, type MessageKey } from '../i18n/index';
import { categoryName, dayTime } from '../panels/format';
import type { AreaDeskView } from './desk-api';
import { deskStyles } from './desk-styles';

@customElement('gw-public-board')
export class GwPublicBoard extends LitElement {
  static override styles = [
    deskStyles,
    css`
      section {
        border: 1px dashed rgba(250, 204, 21, 0.45);
        border-radius: 0.35em;
        padding: 0.2em 0.6em 0.5em;
        background: rgba(60, 40, 0, 0.18);
      }
      h3 {
        color: #facc15;
      }
      li {
        display: flex;
        gap: 0.5em;
        align-items: baseline;
        min-width: 0;
      }
      .topic {
        display: inline-block;
        margin: 0 0.4em 0.2em 0;
        padding: 0 0.4em;
        border-radius: 0.8em;
        background: rgba(250, 204, 21, 0.18);
      }
    `,
  ];

  @property({ attribute: false }) board: AreaDeskView['board'] | null = null;
  /** the instant the board describes (times on it read relative to that day) */
  @property({ type: Number }) at = Date.now();

  override render() {
    const board = this.board;
    if (!board) return html``;
    const open = (id: string) => () => this.dispatchEvent(new CaseSelectEvent(id));
    return html`<section aria-label=${t('desk.board.title')}>
      <h3>${t('desk.board.title')}</h3>
      <h3>${t('desk.board.topics')}</h3>
      <div data-board="topics">
        ${board.topics.length === 0
          ? html`<span class="muted">${t('desk.none')}</span>`
          : board.topics.map((topic) => html`<span class="topic">${categoryName(topic.category)} × ${topic.count}</span>`)}
      </div>
      <h3>${t('desk.board.reports')}</h3>
      <ul data-board="reports">
        ${board.reports.length === 0 ? html`<li class="muted">${t('desk.none')}</li>` : ''}
        ${board.reports.map(
          (r) => html`<li data-incident=${r.incidentId}>
            <span class="muted">${dayTime(r.reportedAt, this.at)}</span>
            <button class="link ellipsis" @click=${open(r.incidentId)}>${r.title ?? categoryName(r.category)}</button>
            <span>${t(`status.${r.status}` as MessageKey)}</span>
          </li>`,
        )}
      </ul>
      <h3>${t('desk.board.echoes')}</h3>
      <ul data-board="echoes">
        ${board.echoes.length === 0 ? html`<li class="muted">${t('desk.none')}</li>` : ''}
        ${board.echoes.map(
          (e) => html`<li data-incident=${e.incidentId}>
            <button class="link ellipsis" @click=${open(e.incidentId)}>${e.title ?? categoryName(e.category)}</button>
            <span>${t('desk.board.echo', { minutes: e.minutes })}</span>
            <span aria-label=${t('desk.satisfaction')}>${e.satisfaction === null ? t('desk.unrated') : '★'.repeat(e.satisfaction)}</span>
          </li>`,
        )}
      </ul>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-public-board': GwPublicBoard;
  }
}
