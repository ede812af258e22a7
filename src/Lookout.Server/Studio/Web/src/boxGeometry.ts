// Box geometry for the box editor, in picture pixels (the displayed, EXIF-oriented size). Pure, so node tests cover it.

export interface EditBox { label: string; x1: number; y1: number; x2: number; y2: number; suggested: boolean; score?: number | null }

export type Handle = "move" | "nw" | "ne" | "sw" | "se";

/** Boxes smaller than this (px) are a slip of the mouse, not a box. */
export const MIN_SIDE = 3;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** x1<x2, y1<y2, inside the picture. */
export function normalise(b: EditBox, w: number, h: number): EditBox {
  return { ...b, x1: clamp(Math.min(b.x1, b.x2), 0, w), y1: clamp(Math.min(b.y1, b.y2), 0, h), x2: clamp(Math.max(b.x1, b.x2), 0, w), y2: clamp(Math.max(b.y1, b.y2), 0, h) };
}

/** The box after dragging <paramref name="handle"/> by (dx, dy) from where it started; a move keeps its size inside the picture. */
export function drag(start: EditBox, handle: Handle, dx: number, dy: number, w: number, h: number): EditBox {
  if (handle === "move") {
    const mx = clamp(dx, -start.x1, w - start.x2), my = clamp(dy, -start.y1, h - start.y2);
    return { ...start, x1: start.x1 + mx, x2: start.x2 + mx, y1: start.y1 + my, y2: start.y2 + my, suggested: false };
  }
  const b = { ...start, suggested: false };
  if (handle === "nw" || handle === "sw") b.x1 += dx; else b.x2 += dx;
  if (handle === "nw" || handle === "ne") b.y1 += dy; else b.y2 += dy;
  return normalise(b, w, h);
}

/** Which box (and which corner of it) a point falls on: corners within <paramref name="tolerance"/> first, then the smallest box containing it. */
export function hit(boxes: readonly EditBox[], x: number, y: number, tolerance: number): { index: number; handle: Handle } | null {
  for (let i = boxes.length - 1; i >= 0; i--) {
    const b = boxes[i]!;
    const corners: [Handle, number, number][] = [["nw", b.x1, b.y1], ["ne", b.x2, b.y1], ["sw", b.x1, b.y2], ["se", b.x2, b.y2]];
    for (const [handle, cx, cy] of corners) if (Math.abs(x - cx) <= tolerance && Math.abs(y - cy) <= tolerance) return { index: i, handle };
  }
  let best: { index: number; area: number } | null = null;
  boxes.forEach((b, index) => {
    if (x < b.x1 || x > b.x2 || y < b.y1 || y > b.y2) return;
    const area = (b.x2 - b.x1) * (b.y2 - b.y1);
    if (!best || area < best.area) best = { index, area };
  });
  return best ? { index: (best as { index: number }).index, handle: "move" } : null;
}

/** Arrow keys: move the box by <paramref name="step"/> px; with <paramref name="resize"/>, move its right/bottom edge instead (grow or shrink). */
export function nudge(b: EditBox, key: string, resize: boolean, step: number, w: number, h: number): EditBox {
  const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
  const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
  if (!resize) return drag(b, "move", dx, dy, w, h);
  const r = { ...b, suggested: false, x2: clamp(b.x2 + dx, b.x1 + MIN_SIDE, w), y2: clamp(b.y2 + dy, b.y1 + MIN_SIDE, h) };
  return r;
}

export const isUsable = (b: EditBox) => b.x2 - b.x1 >= MIN_SIDE && b.y2 - b.y1 >= MIN_SIDE;
