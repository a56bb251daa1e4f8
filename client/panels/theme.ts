/**
 * Shared look of the wall's panels. Sizes are in `em` of the wall's root font size, which gw-wall sets from the
 * viewport height (clamp + vh), so one layout reads the same at 1080p and 2160p and at any aspect between.
 */
import { css } from 'lit';

export const panelStyles = css`
  :host {
    display: block;
    box-sizing: border-box;
    color: #dbe7ff;
    font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif;
    min-width: 0;
    min-height: 0;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  .panel {
    background: linear-gradient(180deg, rgba(13, 27, 52, 0.92), rgba(8, 17, 34, 0.92));
    border: 1px solid rgba(80, 140, 220, 0.35);
    border-radius: 0.4em;
    box-shadow: inset 0 0 1.2em rgba(40, 110, 220, 0.12);
  }
  h2 {
    margin: 0;
    font-size: 1.1em;
    font-weight: 600;
    letter-spacing: 0.12em;
    color: #8fb8ff;
    display: flex;
    align-items: center;
    gap: 0.5em;
  }
  h2::before {
    content: '';
    width: 0.3em;
    height: 1em;
    background: #3b82f6;
    border-radius: 0.1em;
  }
  .num {
    font-variant-numeric: tabular-nums;
    font-family: 'DejaVu Sans Mono', 'Consolas', monospace, sans-serif;
  }
`;
