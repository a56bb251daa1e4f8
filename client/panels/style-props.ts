/**
 * `style=${styleProps({ color: '#f00', '--tier': '#0af' })}`: sets inline style properties through the CSSOM
 * (`element.style.setProperty`), never through the `style` attribute. The server's CSP has no
 * `style-src 'unsafe-inline'`, which blocks `style="…"` in templates and Lit's own `styleMap` on its first render
 * (it writes the attribute); CSSOM writes are not inline styles and pass.
 *
 * @example
 * ```ts
 * html`<span class="what" style=${styleProps({ color: cssColour(colour) })}>…</span>`
 * ```
 */
import { noChange } from 'lit';
import { Directive, PartType, directive, type AttributePart, type PartInfo } from 'lit/directive.js';

/** Property names as in CSS (`background-color`, `--tier`) and their values. */
export type StyleProps = Readonly<Record<string, string>>;

class StylePropsDirective extends Directive {
  private previous = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ATTRIBUTE || part.name !== 'style' || (part.strings?.length ?? 0) > 2) {
      throw new Error('styleProps() must be the whole value of a style attribute: style=${styleProps({…})}');
    }
  }

  render(_props: StyleProps): typeof noChange {
    return noChange;
  }

  override update(part: AttributePart, [props]: [StyleProps]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const name of this.previous) if (!(name in props)) style.removeProperty(name);
    for (const [name, value] of Object.entries(props)) style.setProperty(name, value);
    this.previous = new Set(Object.keys(props));
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
