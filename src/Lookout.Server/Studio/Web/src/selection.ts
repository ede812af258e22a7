// Grid selection as pure functions: click, ctrl/cmd-click (toggle), shift-click (range from the anchor), rubber band.

export interface Selection { readonly ids: ReadonlySet<number>; readonly anchor: number | null }

export const empty: Selection = { ids: new Set(), anchor: null };

export interface Modifiers { shift: boolean; toggle: boolean }

/** Selection after clicking item `index` of `order` (the grid's ids in display order). */
export function click(sel: Selection, order: readonly number[], index: number, mods: Modifiers): Selection {
  const id = order[index];
  if (id === undefined) return sel;
  if (mods.shift && sel.anchor !== null) {
    const from = order.indexOf(sel.anchor);
    if (from >= 0) {
      const [a, b] = from <= index ? [from, index] : [index, from];
      const ids = new Set(mods.toggle ? sel.ids : []);
      for (let i = a; i <= b; i++) ids.add(order[i]!);
      return { ids, anchor: sel.anchor };
    }
  }
  if (mods.toggle) {
    const ids = new Set(sel.ids);
    if (ids.has(id)) ids.delete(id); else ids.add(id);
    return { ids, anchor: id };
  }
  return { ids: new Set([id]), anchor: id };
}

export interface Rect { x: number; y: number; w: number; h: number }

export function rectFrom(x1: number, y1: number, x2: number, y2: number): Rect {
  return { x: Math.min(x1, x2), y: Math.min(y1, y2), w: Math.abs(x2 - x1), h: Math.abs(y2 - y1) };
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Indices of grid cells (fixed size, `columns` per row, in content coordinates) that a band rectangle touches. */
export function cellsInBand(band: Rect, count: number, columns: number, cell: number, gap: number): number[] {
  const step = cell + gap;
  const firstRow = Math.max(0, Math.floor(band.y / step));
  const lastRow = Math.floor((band.y + band.h) / step);
  const hits: number[] = [];
  for (let row = firstRow; row <= lastRow; row++) {
    for (let col = 0; col < columns; col++) {
      const index = row * columns + col;
      if (index >= count) return hits;
      if (intersects(band, { x: col * step, y: row * step, w: cell, h: cell })) hits.push(index);
    }
  }
  return hits;
}

/** Band selection: the touched items, added to the previous selection when toggling. */
export function band(sel: Selection, order: readonly number[], indices: readonly number[], toggle: boolean): Selection {
  const ids = new Set(toggle ? sel.ids : []);
  for (const i of indices) { const id = order[i]; if (id !== undefined) ids.add(id); }
  return { ids, anchor: sel.anchor ?? (indices.length > 0 ? order[indices[0]!] ?? null : null) };
}

/** Keeps only ids still shown (after items left the view). */
export function retain(sel: Selection, order: readonly number[]): Selection {
  const shown = new Set(order);
  const ids = new Set([...sel.ids].filter(id => shown.has(id)));
  return { ids, anchor: sel.anchor !== null && shown.has(sel.anchor) ? sel.anchor : null };
}
