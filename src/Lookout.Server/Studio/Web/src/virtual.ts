// Window math for a virtualised grid of fixed-size cells: only the rows on screen (plus a margin) are rendered.

export interface GridWindow { columns: number; rows: number; firstIndex: number; lastIndex: number; offsetTop: number; totalHeight: number }

export function gridWindow(count: number, width: number, scrollTop: number, viewHeight: number, cell: number, gap: number, overscanRows = 2): GridWindow {
  const step = cell + gap;
  const columns = Math.max(1, Math.floor((width + gap) / step));
  const rows = Math.ceil(count / columns);
  const firstRow = Math.max(0, Math.floor(scrollTop / step) - overscanRows);
  const lastRow = Math.min(rows - 1, Math.ceil((scrollTop + viewHeight) / step) + overscanRows);
  return {
    columns, rows,
    firstIndex: Math.min(count, firstRow * columns),
    lastIndex: Math.min(count - 1, (lastRow + 1) * columns - 1),
    offsetTop: firstRow * step,
    totalHeight: Math.max(0, rows * step - gap),
  };
}

/** Scroll position that brings cell `index` into view (unchanged when it already is). */
export function scrollToShow(index: number, columns: number, scrollTop: number, viewHeight: number, cell: number, gap: number): number {
  const step = cell + gap;
  const top = Math.floor(index / columns) * step;
  if (top < scrollTop) return top;
  if (top + cell > scrollTop + viewHeight) return top + cell - viewHeight;
  return scrollTop;
}
