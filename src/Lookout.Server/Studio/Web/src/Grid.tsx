import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, type ItemDto } from "./api";
import { band, cellsInBand, click, rectFrom, type Rect, type Selection } from "./selection";
import { gridWindow, scrollToShow } from "./virtual";

const GAP = 8;
/** Preact 11 no longer appends "px" to numbers in style objects. */
const px = (n: number) => `${n}px`;
export const cellSize = (width: number) => (width < 560 ? 104 : 136);

interface Props {
  project: string;
  items: ItemDto[];
  selection: Selection;
  onSelection: (s: Selection) => void;
  focus: number;
  onFocus: (i: number) => void;
  badge?: (item: ItemDto) => ComponentChildren;
}

/** A virtualised grid of thumbnails: only the rows on screen exist in the DOM, so 10,000 items scroll smoothly. */
export function Grid({ project, items, selection, onSelection, focus, onFocus, badge }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, width: 800, height: 600 });
  const [drag, setDrag] = useState<{ x: number; y: number; rect: Rect; toggle: boolean } | null>(null);
  const order = useMemo(() => items.map(i => i.id), [items]);
  const cell = cellSize(view.width);
  const w = gridWindow(items.length, view.width, view.top, view.height, cell, GAP);

  useLayoutEffect(() => {
    const el = ref.current!;
    const measure = () => setView({ top: el.scrollTop, width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!el || focus < 0) return;
    const top = scrollToShow(focus, w.columns, el.scrollTop, el.clientHeight, cell, GAP);
    if (top !== el.scrollTop) el.scrollTop = top;
  }, [focus]);

  const toContent = (e: PointerEvent) => {
    const r = ref.current!.getBoundingClientRect();
    return { x: e.clientX - r.left + ref.current!.scrollLeft, y: e.clientY - r.top + ref.current!.scrollTop };
  };

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0 || (e.target as HTMLElement).closest(".cell") || e.pointerType === "touch") return;
    const p = toContent(e);
    ref.current!.setPointerCapture(e.pointerId);
    setDrag({ ...p, rect: rectFrom(p.x, p.y, p.x, p.y), toggle: e.ctrlKey || e.metaKey || e.shiftKey });
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!drag) return;
    const p = toContent(e);
    setDrag({ ...drag, rect: rectFrom(drag.x, drag.y, p.x, p.y) });
  };
  const onPointerUp = () => {
    if (!drag) return;
    const hits = drag.rect.w + drag.rect.h > 4 ? cellsInBand(drag.rect, items.length, w.columns, cell, GAP) : [];
    onSelection(hits.length === 0 && !drag.toggle ? { ids: new Set(), anchor: null } : band(selection, order, hits, drag.toggle));
    setDrag(null);
  };

  const cells: ComponentChildren[] = [];
  for (let i = w.firstIndex; i <= w.lastIndex; i++) {
    const item = items[i]!;
    const row = Math.floor(i / w.columns), col = i % w.columns;
    const selected = selection.ids.has(item.id);
    cells.push(
      <div key={item.id} class={`cell${selected ? " selected" : ""}${i === focus ? " focus" : ""}${item.blurry || item.empty ? " flagged" : ""}`}
        style={{ left: px(col * (cell + GAP)), top: px(row * (cell + GAP)), width: px(cell), height: px(cell) }}
        data-id={item.id} role="gridcell" aria-selected={selected}
        onClick={e => { onFocus(i); onSelection(click(selection, order, i, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey })); }}>
        <img src={api.thumb(project, item.sha)} alt={item.name} decoding="async" draggable={false} />
        <div class="badges">{badge?.(item)}</div>
      </div>,
    );
  }
  return (
    <div class="grid" ref={ref} tabIndex={-1} onScroll={e => setView(v => ({ ...v, top: (e.target as HTMLElement).scrollTop }))}
      onPointerDown={onPointerDown} onPointerMove={onPointerMove} onPointerUp={onPointerUp}>
      <div class="grid-inner" style={{ height: px(w.totalHeight) }}>
        {cells}
        {drag && drag.rect.w + drag.rect.h > 4 && <div class="band" style={{ left: px(drag.rect.x), top: px(drag.rect.y), width: px(drag.rect.w), height: px(drag.rect.h) }} />}
      </div>
      {items.length === 0 && <p class="empty-note">Nothing here yet.</p>}
    </div>
  );
}
