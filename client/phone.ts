/**
 * A phone-sized screen, upright (under 600 px wide) or held sideways (under 480 px high): the wall's scrolling
 * layout (app/wall-styles.ts), the legend folded (panels/gw-legend.ts), and on a touch screen a map that moves
 * under two fingers, so that one finger scrolls the page past it (map/map-controller.ts).
 */
export const PHONE_QUERY = '(max-width: 599px), (max-height: 479px)';

/** A phone-sized touch screen, where a one-finger swipe over the map should scroll the page. */
export function isTouchPhone(): boolean {
  return matchMedia(PHONE_QUERY).matches && matchMedia('(pointer: coarse)').matches;
}
