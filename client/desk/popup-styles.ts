/**
 * The desk's anchored pop-ups (the login form under its button, the search hits under the search field): the host
 * is the positioning context and `.popup` opens just below it, over the map and panels.
 */
import { css } from 'lit';

export const popupStyles = css`
  :host {
    display: block;
    position: relative;
  }
  .popup {
    position: absolute;
    top: 100%;
    left: 0;
    z-index: 5;
  }
  /* a phone: the pop-ups of the bar's last buttons (log in, key help) would run off the screen's right edge, so they
     open leftwards from their button's right edge */
  @media (max-width: 599px) {
    :host(gw-login) .popup,
    :host(gw-key-help) .popup {
      left: auto;
      right: 0;
      max-width: calc(100vw - 1.2em);
    }
  }
`;
