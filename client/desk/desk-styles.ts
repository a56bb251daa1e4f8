/**
 * The desk's shared look: the wall's panel theme plus controls an officer works with (buttons, fields, lists),
 * each with a focus ring that is visible from a desk chair (keyboard use is a requirement, not an extra).
 */
import { css } from 'lit';
import { panelStyles } from '../panels/theme';

export const deskStyles = [
  panelStyles,
  css`
    button,
    input,
    select,
    textarea {
      font: inherit;
      color: inherit;
    }
    button {
      background: rgba(40, 90, 170, 0.35);
      border: 1px solid rgba(120, 170, 240, 0.55);
      border-radius: 0.3em;
      padding: 0.2em 0.6em;
      cursor: pointer;
      white-space: nowrap;
    }
    button:hover {
      background: rgba(60, 120, 210, 0.5);
    }
    button.primary {
      background: #2563eb;
      border-color: #60a5fa;
    }
    button.warn {
      background: rgba(220, 38, 38, 0.75);
      border-color: #fca5a5;
    }
    button.link {
      background: none;
      border: none;
      padding: 0;
      color: #8fb8ff;
      text-decoration: underline;
      text-underline-offset: 0.15em;
    }
    input,
    select,
    textarea {
      background: rgba(6, 11, 22, 0.85);
      border: 1px solid rgba(120, 170, 240, 0.45);
      border-radius: 0.3em;
      padding: 0.2em 0.4em;
      min-width: 0;
    }
    :is(button, input, select, textarea, a, [tabindex]):focus-visible {
      outline: 0.18em solid #facc15;
      outline-offset: 0.12em;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    h3 {
      margin: 0.7em 0 0.3em;
      font-size: 0.95em;
      color: #8fb8ff;
      font-weight: 600;
    }
    .muted {
      color: #8aa0c4;
    }
    .error {
      color: #ffb4b4;
      background: rgba(90, 10, 10, 0.6);
      border: 1px solid rgba(248, 113, 113, 0.6);
      border-radius: 0.3em;
      padding: 0.3em 0.5em;
      overflow-wrap: anywhere;
    }
    .row {
      display: flex;
      align-items: center;
      gap: 0.5em;
      min-width: 0;
    }
    .ellipsis {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      min-width: 0;
    }
  `,
];
