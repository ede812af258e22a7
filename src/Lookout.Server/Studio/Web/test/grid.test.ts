import { test } from "node:test";
import assert from "node:assert/strict";
import { gridWindow, scrollToShow } from "../src/virtual";
import { classForKey, hotkeyFor } from "../src/hotkeys";
import { UndoStack, undoPlan } from "../src/undo";
import { addSegment } from "../src/segments";

test("a 10,000-item grid renders only the rows on screen", () => {
  const w = gridWindow(10_000, 1000, 50_000, 800, 120, 8);
  assert.equal(w.columns, 7);
  assert.equal(w.rows, Math.ceil(10_000 / 7));
  assert.ok(w.lastIndex - w.firstIndex + 1 <= 7 * (Math.ceil(800 / 128) + 5), `rendered ${w.lastIndex - w.firstIndex + 1}`);
  assert.ok(w.offsetTop <= 50_000 && w.offsetTop + 128 * 3 >= 50_000 - 128 * 2);
  assert.equal(gridWindow(0, 1000, 0, 800, 120, 8).lastIndex, -1);
});

test("scrolling brings a cell into view and leaves visible ones alone", () => {
  assert.equal(scrollToShow(70, 7, 0, 500, 120, 8), 10 * 128 + 120 - 500);
  assert.equal(scrollToShow(0, 7, 300, 500, 120, 8), 0);
  assert.equal(scrollToShow(21, 7, 300, 500, 120, 8), 300);
});

test("hotkeys: 1-9 then letters, never the action keys", () => {
  const classes = Array.from({ length: 14 }, (_, i) => `c${i}`);
  assert.equal(classForKey("1", classes), "c0");
  assert.equal(classForKey("9", classes), "c8");
  assert.equal(hotkeyFor(9), "b");
  assert.equal(classForKey("B", classes), "c9");
  for (const k of ["x", "z", "a", "u"]) assert.equal(classForKey(k, classes), null);
  assert.equal(classForKey("7", ["a", "b"]), null);
});

test("undo groups items by their previous label", () => {
  const stack = new UndoStack(2);
  stack.push({ label: "label cat", changes: [{ id: 1, before: null, after: "cat", wasExcluded: false }, { id: 2, before: "dog", after: "cat", wasExcluded: false }, { id: 3, before: null, after: "cat", wasExcluded: false }] });
  stack.push({ label: "x", changes: [] });
  assert.equal(stack.size, 1);
  const plan = undoPlan(stack.pop()!);
  assert.deepEqual(plan.relabel.get(null), [1, 3]);
  assert.deepEqual(plan.relabel.get("dog"), [2]);
});

test("segments: a new mark overrides what it covers and merges equal neighbours", () => {
  let s = addSegment([], { startMs: 0, endMs: 4000, label: "furnace" });
  s = addSegment(s, { startMs: 2000, endMs: 3000, label: null });
  assert.deepEqual(s.map(x => [x.startMs, x.endMs, x.label]), [[0, 2000, "furnace"], [2000, 3000, null], [3000, 4000, "furnace"]]);
  s = addSegment(s, { startMs: 2000, endMs: 3000, label: "furnace" });
  assert.deepEqual(s.map(x => [x.startMs, x.endMs, x.label]), [[0, 4000, "furnace"]]);
  assert.equal(addSegment(s, { startMs: 5, endMs: 5, label: "x" }).length, 1);
});
