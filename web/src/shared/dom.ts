// Small DOM helpers. Text always goes in as textContent: nothing a user typed
// is ever parsed as HTML.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== undefined) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The element with this id; a page without it is a build mistake, so this throws. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`page has no #${id}`);
  return node as T;
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** A colour from the wire, applied only if it is exactly #rrggbb. */
export function safeColor(color: string | undefined): string | undefined {
  return color !== undefined && HEX_COLOR.test(color) ? color : undefined;
}
