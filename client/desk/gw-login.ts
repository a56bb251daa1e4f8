/**
 * Officer login for the desk. Accounts are created on the server with `npm run users -- add <name> --role officer
 * --scope <area> --password <pw>`; the session is an HttpOnly cookie with an expiry. Without login the screen is
 * read-only and shows no action buttons. Fires `session-change` on login, logout and when the session runs out.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { SessionChangeEvent } from '../events/session-change-event';
import { t } from '../i18n/index';
import { deskApi, type Officer } from './desk-api';
import { deskStyles } from './desk-styles';
import { deskErrorText } from './error-text';
import { popupStyles } from './popup-styles';

@customElement('gw-login')
export class GwLogin extends LitElement {
  static override styles = [
    deskStyles,
    popupStyles,
    css`
      form.popup {
        margin-top: 0.3em;
        display: grid;
        gap: 0.4em;
        padding: 0.6em;
        width: 16em;
        z-index: 6;
      }
      .signed-in {
        padding: 0.25em 0.5em;
      }
      label {
        display: grid;
        gap: 0.1em;
      }
    `,
  ];

  @property({ attribute: false }) officer: Officer | null = null;
  /** why the last session ended under the page (set by the desk): the login form opens again and says so */
  @property({ attribute: false }) notice: string | null = null;
  @state() private open = false;
  @state() private busy = false;
  @state() private error: string | null = null;
  private expiry: ReturnType<typeof setTimeout> | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.clearExpiry();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('notice') && this.notice && !this.officer) this.open = true;
  }

  private clearExpiry(): void {
    if (this.expiry !== null) clearTimeout(this.expiry);
    this.expiry = null;
  }

  private async login(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    this.busy = true;
    this.error = null;
    try {
      const session = await deskApi.login(String(data.get('name') ?? ''), String(data.get('password') ?? ''));
      const officer: Officer = { name: session.name, role: session.role, scope: session.scope };
      this.open = false;
      this.clearExpiry();
      // setTimeout holds at most ~24.8 days; sessions are hours long
      const left = Math.min(Date.parse(session.expiresAt) - Date.now(), 2 ** 31 - 1);
      this.expiry = setTimeout(() => {
        this.expiry = null;
        this.dispatchEvent(new SessionChangeEvent(null));
      }, left);
      this.dispatchEvent(new SessionChangeEvent(officer));
    } catch (err) {
      this.error = deskErrorText(err);
    } finally {
      this.busy = false;
    }
  }

  private async logout(): Promise<void> {
    this.clearExpiry();
    try {
      await deskApi.logout();
    } finally {
      this.dispatchEvent(new SessionChangeEvent(null));
    }
  }

  override render() {
    if (this.officer) {
      return html`<div class="row panel signed-in" data-officer=${this.officer.name}>
        <span class="ellipsis">${this.officer.name} · ${this.officer.scope.join(', ')}</span>
        <button data-logout @click=${() => void this.logout()}>${t('desk.logout')}</button>
      </div>`;
    }
    return html`<button data-login-open aria-expanded=${this.open ? 'true' : 'false'} @click=${() => (this.open = !this.open)}>${t('desk.login')}</button>
      ${this.open
        ? html`<form class="panel popup" @submit=${(e: SubmitEvent) => void this.login(e)} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (this.open = false)}>
            ${this.notice ? html`<p class="error" role="alert" data-session-ended>${this.notice}</p>` : nothing}
            <label>${t('desk.login.name')}<input name="name" autocomplete="username" required maxlength="64" autofocus /></label>
            <label>${t('desk.login.password')}<input name="password" type="password" autocomplete="current-password" required maxlength="256" /></label>
            <button class="primary" type="submit" ?disabled=${this.busy}>${t('desk.login')}</button>
            ${this.error ? html`<p class="error" role="alert" data-login-error>${this.error}</p>` : nothing}
          </form>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-login': GwLogin;
  }
}
