// Walk-through segments: [start, end) in ms with a class or null ("none of these"). A new segment overrides what it
// covers, so marking is forgiving; the result is sorted and non-overlapping.

export interface Segment { startMs: number; endMs: number; label: string | null }

export function addSegment(list: readonly Segment[], seg: Segment): Segment[] {
  if (!(seg.endMs > seg.startMs)) return [...list];
  const out: Segment[] = [];
  for (const s of list) {
    if (s.endMs <= seg.startMs || s.startMs >= seg.endMs) { out.push(s); continue; }
    if (s.startMs < seg.startMs) out.push({ ...s, endMs: seg.startMs });
    if (s.endMs > seg.endMs) out.push({ ...s, startMs: seg.endMs });
  }
  out.push(seg);
  out.sort((a, b) => a.startMs - b.startMs);
  // Neighbours with the same label become one.
  const merged: Segment[] = [];
  for (const s of out) {
    const last = merged[merged.length - 1];
    if (last && last.label === s.label && last.endMs === s.startMs) merged[merged.length - 1] = { ...last, endMs: s.endMs };
    else merged.push(s);
  }
  return merged;
}

export function removeSegment(list: readonly Segment[], index: number): Segment[] {
  return list.filter((_, i) => i !== index);
}

export function formatMs(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}.${String(Math.floor((ms % 1000) / 100))}`;
}
