/**
 * Whether a key press is being typed into something (an input, a select, a text area or editable text): the wall's
 * own keys (the desk's `/`, `?` and Escape, playback's) leave such a key to it.
 */
export function typingIn(event: KeyboardEvent): boolean {
  const target = event.composedPath()[0];
  return target instanceof Element && (target.matches('input, select, textarea, [contenteditable=""], [contenteditable="true"]') || target.closest('[contenteditable="true"]') !== null);
}
