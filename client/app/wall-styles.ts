/**
 * Layout of the wall: a CSS grid in `em` of a root font size taken from the viewport height, or from its width on a
 * screen narrower than 16:9 (clamp + min(vh, vw)), so the same layout is native at 1920×1080, 3840×2160 and any
 * aspect between, and a 4:3 or 5:4 screen gets the 16:9 layout of its width rather than one that overflows it. No
 * `transform: scale`: clicks and picking stay true.
 */
import { css } from 'lit';

export const wallStyles = css`
  :host {
    position: fixed;
    inset: 0;
    display: grid;
    grid-template-columns: minmax(0, 1fr) clamp(20em, 27vw, 40em);
    /* the KPI strip takes its own height: one row, or two on a screen too narrow for ten figures side by side */
    grid-template-rows: auto auto minmax(0, 1fr);
    gap: 0.55em;
    padding: 0.55em;
    box-sizing: border-box;
    overflow: hidden;
    /* the wall's em, also for MapLibre's controls, which the font does not reach (see the end) */
    /* 1.48vh is 16 px at 1080 px high; 0.833vw is the same at 1920 px wide, so it takes over below 16:9 */
    --gw-em: clamp(11px, min(1.48vh, 0.833vw), 64px);
    font-size: var(--gw-em);
    background: radial-gradient(ellipse at 50% 0%, #0d1d3a 0%, #050a15 70%);
    color: #dbe7ff;
    font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif;
  }
  :host([kiosk]),
  :host([kiosk]) * {
    cursor: none !important;
  }
  header {
    grid-column: 1 / -1;
    display: flex;
    align-items: center;
    gap: 1.2em;
    min-width: 0;
    padding: 0 0.4em;
  }
  .title {
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  h1 {
    margin: 0;
    font-size: 2em;
    letter-spacing: 0.18em;
    font-weight: 700;
    color: #f1f6ff;
    text-shadow: 0 0 0.6em rgba(59, 130, 246, 0.6);
    white-space: nowrap;
    /* never over the area's name and the clock: on a screen too narrow for all of it the title gives way */
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .subtitle {
    font-size: 0.95em;
    color: #7f97bd;
    letter-spacing: 0.3em;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  header > gw-connection-badge,
  header > gw-clock {
    flex: none;
  }
  .area {
    margin-left: auto;
    display: flex;
    flex-direction: column;
    align-items: flex-end;
    min-width: 0;
  }
  .area .name {
    font-size: 1.5em;
    font-weight: 600;
    white-space: nowrap;
  }
  .area .mode {
    font-size: 0.85em;
    color: #f6c453;
    white-space: nowrap;
  }
  gw-kpi-header {
    grid-column: 1 / -1;
    min-height: 0;
  }
  .map-cell {
    position: relative;
    min-width: 0;
    min-height: 0;
    border: 1px solid rgba(80, 140, 220, 0.35);
    border-radius: 0.4em;
    overflow: hidden;
  }
  .map {
    position: absolute;
    inset: 0;
  }
  gw-legend {
    position: absolute;
    left: 0.6em;
    bottom: 0.6em;
    z-index: 2;
  }
  /* under the playback bar on the right (the wall sets --gw-below-bar), beside the desk's search bar on the left */
  .note {
    position: absolute;
    right: 0.6em;
    /* beside the desk's search bar, in the room the wall measures right of it (--gw-note-left), or below the bar
       where that room is too narrow (--gw-note-top) */
    top: var(--gw-note-top, var(--gw-below-bar, 0.5em));
    z-index: 2;
    max-width: min(60%, calc(100% - var(--gw-note-left, 0px) - 0.6em));
    box-sizing: border-box;
    font-size: 0.8em;
    color: #9db0d0;
    background: rgba(6, 11, 22, 0.75);
    padding: 0.25em 0.6em;
    border-radius: 0.3em;
    border: 1px dashed rgba(157, 176, 208, 0.4);
  }
  .side {
    display: grid;
    grid-template-rows: minmax(0, 1fr) minmax(0, 1.15fr);
    gap: 0.55em;
    min-width: 0;
    min-height: 0;
  }
  .banner {
    position: absolute;
    left: 50%;
    top: 40%;
    transform: translate(-50%, -50%);
    font-size: 1.6em;
    color: #8fb8ff;
    z-index: 3;
    text-align: center;
  }
  .banner.error {
    color: #ff8080;
  }
  .problems {
    position: absolute;
    left: 0.6em;
    top: 0.5em;
    z-index: 3;
    color: #ffb4b4;
    background: rgba(60, 0, 0, 0.7);
    padding: 0.3em 0.6em;
    border-radius: 0.3em;
    font-size: 0.85em;
  }
  /*
   * A portrait screen (a tablet on an officer's desk, a wall screen turned on its side): the map takes the full
   * width, and the whistle board and ticker sit side by side under it, instead of a side column that left a portrait
   * map a sliver.
   */
  @media (orientation: portrait) {
    :host {
      grid-template-columns: minmax(0, 1fr);
      grid-template-rows: auto auto minmax(0, 1fr) 38vh;
    }
    .side {
      grid-template-rows: minmax(0, 1fr);
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    }
    h1 {
      font-size: 1.6em;
      letter-spacing: 0.06em;
    }
    .subtitle {
      letter-spacing: 0.1em;
    }
  }
  /*
   * A phone (an officer on a round, a grid worker): too narrow, or held sideways too low, for anything beside the
   * map. The page scrolls: the header in two lines, the KPIs in three columns (gw-kpi-header; two rows of six
   * sideways), the map most of the screen high, then the whistle board and the ticker one under the other (side by
   * side sideways). The legend folds away (gw-legend) so the map is not hidden under it.
   */
  @media (max-width: 599px), (max-height: 479px) {
    :host {
      overflow-x: hidden;
      overflow-y: auto;
      grid-template-columns: minmax(0, 1fr);
      grid-template-rows: auto auto 72vh auto;
      gap: 0.45em;
      padding: 0.45em;
    }
    header {
      flex-wrap: wrap;
      gap: 0.3em 0.8em;
      padding: 0;
    }
    .title {
      flex: 1 1 100%;
    }
    h1 {
      font-size: 1.45em;
      letter-spacing: 0.04em;
    }
    .subtitle {
      display: none;
    }
    .area {
      margin-left: 0;
      margin-right: auto;
      flex-direction: row;
      align-items: baseline;
      gap: 0.5em;
    }
    .area .name {
      font-size: 1.2em;
    }
    /* the rows are taller than the screen together: each keeps its own height and the page scrolls */
    gw-kpi-header {
      min-height: auto;
    }
    .side {
      grid-template-columns: minmax(0, 1fr);
      grid-template-rows: 36em 42em;
    }
    .note {
      max-width: calc(100% - 1.2em);
    }
  }
  /* a phone held sideways: the map one screen high once scrolled to, the board and the ticker side by side under it */
  @media (max-height: 479px) and (min-width: 600px) {
    :host {
      grid-template-rows: auto auto 92vh auto;
    }
    .side {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      grid-template-rows: 92vh;
    }
    .title {
      flex: 1 1 auto;
    }
    .area {
      margin-left: auto;
      margin-right: 0;
    }
  }
  /*
   * MapLibre sizes its controls in px (29 px buttons, 10 px margins) and gives the map a 12 px font, so the wall's em
   * does not reach them: size them in --gw-em, the same size at 1080 rows (29 px), twice it at 2160, never smaller,
   * with the icons drawn to fit.
   */
  .maplibregl-ctrl-group button {
    width: max(29px, calc(1.82 * var(--gw-em)));
    height: max(29px, calc(1.82 * var(--gw-em)));
  }
  .maplibregl-ctrl button .maplibregl-ctrl-icon {
    background-size: contain;
  }
  .maplibregl-ctrl-bottom-right .maplibregl-ctrl {
    margin: 0 max(10px, calc(0.63 * var(--gw-em))) max(10px, calc(0.63 * var(--gw-em))) 0;
  }
`;
