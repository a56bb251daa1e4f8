/**
 * The look shared by the wall's list panels (the ticker and the whistle board): a full-height column whose list
 * takes the remaining height and clips, a small grey place line under each row, and the empty-state line.
 */
import { css } from 'lit';

export const listPanelStyles = css`
  .panel {
    height: 100%;
    display: flex;
    flex-direction: column;
    padding: 0.7em 0.9em;
    overflow: hidden;
  }
  ol,
  ul {
    list-style: none;
    margin: 0.5em 0 0;
    padding: 0;
    flex: 1;
    min-height: 0;
    overflow: hidden;
  }
  /* the category group the rows keep to (the map's focus), in the focus's amber */
  h2 .group {
    color: #fde68a;
    letter-spacing: 0.04em;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    min-width: 0;
  }
  .place {
    font-size: 0.8em;
    color: #8ea7cf;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .empty {
    color: #6b7fa3;
    margin-top: 1em;
  }
`;
