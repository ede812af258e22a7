import { test } from "node:test";
import assert from "node:assert/strict";
import { drag, hit, isUsable, normalise, nudge, type EditBox } from "../src/boxGeometry";

const box = (x1: number, y1: number, x2: number, y2: number, suggested = true): EditBox => ({ label: "person", x1, y1, x2, y2, suggested });

test("a corner drag resizes, crossing over flips to a proper box, and the result stays in the picture", () => {
  const b = box(10, 10, 50, 40);
  assert.deepEqual(drag(b, "se", 20, 5, 100, 100), { ...box(10, 10, 70, 45), suggested: false });
  assert.deepEqual(drag(b, "nw", 60, 0, 100, 100), { ...box(50, 10, 70, 40), suggested: false });
  assert.deepEqual(drag(b, "se", 500, 500, 100, 80), { ...box(10, 10, 100, 80), suggested: false });
});

test("a move keeps the size and stops at the picture's edge; any edit makes a suggestion the user's own", () => {
  const moved = drag(box(10, 10, 50, 40), "move", -30, 100, 100, 100);
  assert.deepEqual(moved, { ...box(0, 70, 40, 100), suggested: false });
});

test("hit finds corners first, then the smallest box under the point", () => {
  const boxes = [box(0, 0, 100, 100), box(40, 40, 60, 60)];
  assert.deepEqual(hit(boxes, 50, 50, 3), { index: 1, handle: "move" });
  assert.deepEqual(hit(boxes, 99, 1, 3), { index: 0, handle: "ne" });
  assert.deepEqual(hit(boxes, 61, 59, 3), { index: 1, handle: "se" });
  assert.equal(hit(boxes, 150, 150, 3), null);
});

test("arrow keys move by a step; with resize they move the right/bottom edge and never make it smaller than the minimum", () => {
  const b = box(10, 10, 20, 20);
  assert.deepEqual(nudge(b, "ArrowRight", false, 5, 100, 100), { ...box(15, 10, 25, 20), suggested: false });
  assert.deepEqual(nudge(b, "ArrowDown", true, 5, 100, 100), { ...box(10, 10, 20, 25), suggested: false });
  assert.deepEqual(nudge(b, "ArrowLeft", true, 50, 100, 100), { ...box(10, 10, 13, 20), suggested: false });
  assert.ok(!isUsable(normalise(box(5, 5, 6, 30), 100, 100)));
});
