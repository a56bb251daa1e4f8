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
`;
