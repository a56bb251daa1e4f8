/**
 * The keyboard's help: a small "?" button on the desk's bar, and `?` anywhere (not while typing), open a list of the
 * keys the wall takes: the desk's, playback's (playback-keys.ts) and the map's own (MapLibre's keyboard handler).
 * Escape, `?` again or the button close it.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { t, type MessageKey } from '../i18n/index';
import { deskStyles } from './desk-styles';
import { popupStyles } from './popup-styles';
import { typingIn } from '../panels/typing';

/** The keys listed, by group: what to press (as shown) and what it does (a message key). */
export const KEY_HELP: ReadonlyArray<{ group: MessageKey; keys: ReadonlyArray<readonly [string, MessageKey]> }> = [
  {
    group: 'keys.desk',
    keys: [
      ['/', 'keys.search'],
      ['Esc', 'keys.close'],
      ['?', 'keys.help'],
    ],
  },
  {
    group: 'keys.playback',
    keys: [
      ['Space', 'keys.play'],
      ['← →', 'keys.step'],
      ['PgDn PgUp', 'keys.page'],
      ['Home End', 'keys.ends'],
    ],
  },
  {
    group: 'keys.map',
    keys: [
      ['← → ↑ ↓', 'keys.pan'],
      ['+ −', 'keys.zoom'],
      ['⇧ ← →', 'keys.rotate'],
    ],
  },
];

@customElement('gw-key-help')
export class GwKeyHelp extends LitElement {
  static override styles = [
    deskStyles,
    popupStyles,
    css`
      /* one grid for every group (each group's list is display: contents), so the keys line up in one column */
      .popup {
        margin: 0.3em 0 0;
        padding: 0.5em 0.8em 0.7em;
        width: max-content;
        max-width: 26em;
        z-index: 6;
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.25em 0.8em;
        background: rgba(8, 18, 40, 0.96);
      }
      dl {
        display: contents;
      }
      h3 {
        grid-column: 1 / -1;
        margin: 0.4em 0 0;
        font-size: 0.9em;
        color: #7f97bd;
        font-weight: normal;
      }
      dt {
        white-space: nowrap;
      }
      kbd {
        font: inherit;
        font-size: 0.85em;
        padding: 0 0.35em;
        border: 1px solid rgba(96, 165, 250, 0.5);
        border-radius: 0.25em;
        background: rgba(30, 58, 110, 0.6);
      }
      dd {
        margin: 0;
      }
    `,
  ];

  @state() private open = false;

  private readonly onKey = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || typingIn(event)) return;
    if (event.key === '?') {
      event.preventDefault();
      this.open = !this.open;
    } else if (event.key === 'Escape' && this.open) {
      // the help closes first; the desk's panel on the next Escape
      event.stopImmediatePropagation();
      this.open = false;
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    // capture: ahead of the desk's own Escape (which closes its panel)
    window.addEventListener('keydown', this.onKey, { capture: true });
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onKey, { capture: true });
    super.disconnectedCallback();
  }

  override render() {
    return html`<button data-keys-help aria-expanded=${this.open ? 'true' : 'false'} aria-label=${t('keys.title')} title="${t('keys.title')} (?)" @click=${() => (this.open = !this.open)}>?</button>
      ${this.open
        ? html`<div class="panel popup" role="dialog" aria-label=${t('keys.title')} data-keys-help-dialog>
            ${KEY_HELP.map(
              ({ group, keys }) => html`<h3>${t(group)}</h3>
                <dl>
                  ${keys.map(([key, what]) => html`<dt>${key.split(' ').map((k) => html`<kbd>${k === 'Space' ? t('playback.key.space') : k}</kbd> `)}</dt><dd>${t(what)}</dd>`)}
                </dl>`,
            )}
          </div>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-key-help': GwKeyHelp;
  }
}
