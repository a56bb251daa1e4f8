/**
 * The side panels' rows open their case on the officer's desk: a click anywhere on a row, or Enter on its title,
 * which is a button for the keyboard and screen readers. On a kiosk wall (no desk) rows are plain text.
 */
import { css, html, type TemplateResult } from 'lit';
import { CaseSelectEvent } from '../events/case-select-event';

/**
 * The row's case title: a button when the panel is interactive, else text. A narrow panel cuts a long title with an
 * ellipsis; its tooltip keeps the whole.
 */
export function caseTitle(text: string, interactive: boolean, className: string): TemplateResult {
  return interactive
    ? html`<button type="button" class="${className} open-case" title=${text}>${text}</button>`
    : html`<span class="${className}" title=${text}>${text}</span>`;
}

/** A row's click handler: asks for the case (the event bubbles out of the panel to the wall, which opens the desk). */
export function openCaseOnClick(host: HTMLElement & { interactive: boolean }, incidentId: string): (event: Event) => void {
  return () => {
    if (host.interactive) host.dispatchEvent(new CaseSelectEvent(incidentId));
  };
}

export const caseLinkStyles = css`
  :host([interactive]) li {
    cursor: pointer;
  }
  :host([interactive]) li:hover {
    background-color: rgba(96, 165, 250, 0.12);
  }
  .open-case {
    display: block;
    min-width: 0;
    font: inherit;
    color: inherit;
    background: none;
    border: 0;
    padding: 0;
    text-align: left;
    cursor: pointer;
  }
  .open-case:focus-visible {
    outline: 2px solid #60a5fa;
    outline-offset: 2px;
  }
`;
