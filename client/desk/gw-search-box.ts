/**
 * Search by grid code, community or street name (Chinese, or pinyin initials such as `chsq`), incident id or the
 * address text of a case. A combobox in the ARIA sense: type, ↓/↑ move through the hits, Enter opens the active
 * one (an `area-select` or `case-select` event), Escape closes the list (and a second Escape clears the text).
 * Lookups wait for a short pause in typing and drop stale answers (@lit/task with an AbortSignal). In playback (`at`)
 * the cases are matched as they stood at the wall's instant, with their status then.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Task, TaskStatus } from '@lit/task';
import { AreaSelectEvent } from '../events/area-select-event';
import { CaseSelectEvent } from '../events/case-select-event';
import { t, type MessageKey } from '../i18n/index';
import { categoryName } from '../panels/format';
import { deskApi, type SearchHit } from './desk-api';
import { deskErrorText } from './error-text';
import { deskStyles } from './desk-styles';
import { popupStyles } from './popup-styles';

const TYPING_PAUSE_MS = 180;

@customElement('gw-search-box')
export class GwSearchBox extends LitElement {
  static override styles = [
    deskStyles,
    popupStyles,
    css`
      :host {
        width: 22em;
      }
      input {
        width: 100%;
        padding: 0.35em 0.6em;
        font-size: 1em;
      }
      [role='listbox'] {
        right: 0;
        margin-top: 0.2em;
        max-height: 24em;
        overflow-y: auto;
        background: rgba(8, 17, 34, 0.97);
        border: 1px solid rgba(80, 140, 220, 0.5);
        border-radius: 0.3em;
        z-index: 5;
      }
      [role='option'] {
        padding: 0.3em 0.6em;
        cursor: pointer;
        display: grid;
        gap: 0.05em;
        min-width: 0;
      }
      [role='option'][aria-selected='true'] {
        background: rgba(37, 99, 235, 0.55);
        outline: 0.12em solid #facc15;
        outline-offset: -0.12em;
      }
      .empty {
        padding: 0.3em 0.6em;
      }
      .sub {
        font-size: 0.8em;
        color: #8aa0c4;
      }
    `,
  ];

  /**
   * The wall's playback instant, or null live: in playback, cases are matched as they stood then. The instant is
   * taken when a search is asked (a pause in typing, Enter, the list opened again, playback opened or closed), not
   * at every tick of a playing wall.
   */
  @property({ attribute: false }) at: number | null = null;
  @state() private text = '';
  /** the text actually searched: follows `text` after a pause */
  @state() private query = '';
  /** the instant the last search was asked for (null: live) */
  @state() private queryAt: number | null = null;
  @state() private active = -1;
  @state() private expanded = false;
  private pause: ReturnType<typeof setTimeout> | null = null;

  private readonly searchTask = new Task(this, {
    task: async ([q, at], { signal }): Promise<SearchHit[]> => (q.trim() === '' ? [] : (await deskApi.search(q, signal, at)).hits),
    args: () => [this.query, this.queryAt] as const,
  });

  protected override willUpdate(changed: PropertyValues<this>): void {
    // playback opened or closed: the list is asked again, of the other state
    if (changed.has('at') && (changed.get('at') == null) !== (this.at === null)) this.queryAt = this.at;
  }

  /** Asks for `text` as of the wall's instant now. */
  private ask(): void {
    this.query = this.text;
    this.queryAt = this.at;
  }

  /** Opens the list; in playback, of the wall's instant now (the last list may be of another). */
  private expand(): void {
    if (!this.expanded && this.at !== null && this.query !== '') this.queryAt = this.at;
    this.expanded = true;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.pause !== null) clearTimeout(this.pause);
    this.pause = null;
  }

  /** Moves keyboard focus into the search field (the desk binds `/` to it). */
  override focus(): void {
    this.renderRoot.querySelector('input')?.focus();
  }

  private onInput(event: Event): void {
    this.text = (event.target as HTMLInputElement).value;
    this.expanded = true;
    this.active = -1;
    if (this.pause !== null) clearTimeout(this.pause);
    this.pause = setTimeout(() => {
      this.pause = null;
      this.ask();
    }, TYPING_PAUSE_MS);
  }

  private get hits(): SearchHit[] {
    return this.query === this.text ? (this.searchTask.value ?? []) : [];
  }

  private onKeyDown(event: KeyboardEvent): void {
    const hits = this.hits;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        this.expand();
        if (hits.length > 0) this.active = (this.active + 1) % hits.length;
        break;
      case 'ArrowUp':
        event.preventDefault();
        if (hits.length > 0) this.active = this.active <= 0 ? hits.length - 1 : this.active - 1;
        break;
      case 'Enter': {
        const hit = hits[this.active >= 0 ? this.active : 0];
        if (hit) {
          event.preventDefault();
          this.choose(hit);
        } else if (this.pause !== null) {
          // Enter before the pause ran out: search now, and open the first hit when it comes.
          clearTimeout(this.pause);
          this.pause = null;
          this.ask();
          const asked = this.query;
          void this.updateComplete.then(() => this.searchTask.taskComplete).then((found) => {
            if (this.query === asked && found[0]) this.choose(found[0]);
          }, () => undefined);
        }
        break;
      }
      case 'Escape':
        event.preventDefault();
        event.stopPropagation();
        if (this.expanded) this.expanded = false;
        else this.text = this.query = '';
        break;
    }
  }

  private choose(hit: SearchHit): void {
    this.expanded = false;
    this.active = -1;
    this.dispatchEvent(hit.kind === 'area' ? new AreaSelectEvent(hit.code) : new CaseSelectEvent(hit.id));
  }

  private label(hit: SearchHit) {
    if (hit.kind === 'area') {
      return html`<span class="ellipsis">${hit.name} <span class="muted">${hit.code}</span></span>
        <span class="sub ellipsis">${[...hit.path, t(`desk.level.${hit.level}` as MessageKey)].join(' › ')}</span>`;
    }
    return html`<span class="ellipsis">${hit.title ?? categoryName(hit.category)} <span class="muted">${hit.id}</span></span>
      <span class="sub ellipsis">${hit.address ?? hit.grid} · ${t(`status.${hit.status}` as MessageKey)}</span>`;
  }

  override render() {
    const hits = this.hits;
    const open = this.expanded && this.text.trim() !== '';
    const activeId = this.active >= 0 ? `hit-${this.active}` : '';
    return html`
      <input
        type="search"
        role="combobox"
        aria-label=${t('desk.search.label')}
        aria-autocomplete="list"
        aria-controls="hits"
        aria-expanded=${open ? 'true' : 'false'}
        aria-activedescendant=${activeId || nothing}
        placeholder=${t('desk.search.placeholder')}
        autocomplete="off"
        spellcheck="false"
        .value=${this.text}
        @input=${this.onInput}
        @keydown=${this.onKeyDown}
        @focus=${() => this.expand()}
      />
      ${open
        ? html`<ul id="hits" class="popup" role="listbox" aria-label=${t('desk.search.results')}>
            ${hits.length === 0 && this.query === this.text && !this.searchTask.value?.length && this.searchTask.status === TaskStatus.COMPLETE
              ? html`<li class="muted empty">${t('desk.search.noHits')}</li>`
              : nothing}
            ${this.searchTask.render({ error: (e) => html`<li class="error">${deskErrorText(e)}</li>` })}
            ${hits.map(
              (hit, i) => html`<li
                id="hit-${i}"
                role="option"
                aria-selected=${i === this.active ? 'true' : 'false'}
                data-kind=${hit.kind}
                data-key=${hit.kind === 'area' ? hit.code : hit.id}
                data-status=${hit.kind === 'incident' ? hit.status : nothing}
                @mousedown=${(e: Event) => e.preventDefault()}
                @click=${() => this.choose(hit)}
              >
                ${this.label(hit)}
              </li>`,
            )}
          </ul>`
        : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-search-box': GwSearchBox;
  }
}
