/**
 * A small XML well-formedness check for SVG (no XML parser is a dependency):
 * every tag closes in order, attributes are quoted, one root `<svg>` in the SVG
 * namespace. Returns the elements as a flat list for assertions.
 */
export interface Element {
  name: string;
  attrs: Record<string, string>;
  parent: Element | null;
}

export function parseSvg(text: string): Element[] {
  const elements: Element[] = [];
  const stack: Element[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
  let at = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const between = text.slice(at, m.index);
    if (between.includes('<')) throw new Error(`malformed markup near offset ${at}: ${between.slice(0, 40)}`);
    at = tag.lastIndex;
    if (!m[2]) continue;
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:.-]+)="([^"]*)"/g)) attrs[a[1]] = a[2];
    const el = { name, attrs, parent: stack[stack.length - 1] ?? null };
    if (!el.parent && elements.length) throw new Error(`second root element <${name}>`);
    elements.push(el);
    if (!selfClose) stack.push(el);
  }
  if (text.slice(at).trim()) throw new Error(`trailing text: ${text.slice(at, at + 40)}`);
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (elements[0]?.name !== 'svg' || elements[0].attrs.xmlns !== 'http://www.w3.org/2000/svg')
    throw new Error('root is not <svg xmlns="http://www.w3.org/2000/svg">');
  return elements;
}

/** The line marks' paths: one per curve. */
export const curvePaths = (els: Element[]): Element[] =>
  els.filter((e) => e.name === 'path' && e.attrs['aria-roledescription'] === 'line mark');

/** Where an element's own coordinates start in the image: the sum of its and its ancestors' translate(x,y). */
export function offsetOf(el: Element): [number, number] {
  let [x, y] = [0, 0];
  for (let e: Element | null = el; e; e = e.parent) {
    const m = /translate\(([-\d.e]+),\s*([-\d.e]+)\)/.exec(e.attrs.transform ?? '');
    if (m) [x, y] = [x + Number(m[1]), y + Number(m[2])];
  }
  return [x, y];
}

/** A line mark's vertices in image coordinates (its path is M/L commands). */
export function vertices(path: Element): [number, number][] {
  const [ox, oy] = offsetOf(path);
  return [...path.attrs.d.matchAll(/[ML]\s*([-\d.e]+)[,\s]([-\d.e]+)/g)].map((m) => [
    ox + Number(m[1]),
    oy + Number(m[2]),
  ]);
}
