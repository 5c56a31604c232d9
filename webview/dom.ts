/**
 * The only way this webview builds DOM: createElement, setAttribute and text nodes.
 * Data strings always end up as Text nodes or attribute values, never as markup.
 */

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

/** Creates an element. Attribute values are set verbatim; `style` and `on*` attributes are refused (CSP, and no inline handlers). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) setAttrs(el, attrs);
  append(el, ...children);
  return el;
}

export function setAttrs(el: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'style' || name.startsWith('on')) throw new Error(`refused attribute ${name}`);
    if (value === false || value === null || value === undefined) el.removeAttribute(name);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces all children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

let idSeq = 0;
export function uid(prefix: string): string {
  idSeq += 1;
  return `${prefix}-${idSeq}`;
}

/** A titled panel section: `<section aria-labelledby><header><h2/>…extras</header>…body</section>`. */
export function section(title: string, className: string, headerExtras: Child[], ...body: Child[]): { element: HTMLElement; heading: HTMLHeadingElement } {
  const id = uid('section');
  const heading = h('h2', { id }, title);
  const element = h('section', { class: `panel-section ${className}`, 'aria-labelledby': id }, h('header', { class: 'section-header' }, heading, ...headerExtras), ...body);
  return { element, heading };
}

/** A horizontal bar filled to `fraction`, its width set through CSSOM (allowed by the CSP). */
export function meter(fraction: number, colorClass: string): HTMLElement {
  const fill = h('span', { class: `meter-fill ${colorClass}` });
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  return h('span', { class: 'meter', 'aria-hidden': 'true' }, fill);
}
