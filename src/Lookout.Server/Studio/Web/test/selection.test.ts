import { test } from "node:test";
import assert from "node:assert/strict";
import { band, cellsInBand, click, empty, rectFrom, retain } from "../src/selection";

const order = [10, 11, 12, 13, 14, 15];
const plain = { shift: false, toggle: false };

test("click selects one; ctrl toggles; shift selects the range from the anchor", () => {
  let s = click(empty, order, 1, plain);
  assert.deepEqual([...s.ids], [11]);
  s = click(s, order, 3, { shift: false, toggle: true });
  assert.deepEqual([...s.ids].sort(), [11, 13]);
  s = click(s, order, 3, { shift: false, toggle: true });
  assert.deepEqual([...s.ids], [11]);
  s = click(click(empty, order, 4, plain), order, 1, { shift: true, toggle: false });
  assert.deepEqual([...s.ids].sort(), [11, 12, 13, 14]);
  assert.equal(s.anchor, 14);
});

test("shift+ctrl adds a range to the selection", () => {
  let s = click(empty, order, 0, plain);
  s = click(s, order, 3, { shift: false, toggle: true });
  s = click(s, order, 5, { shift: true, toggle: true });
  assert.deepEqual([...s.ids].sort(), [10, 13, 14, 15]);
});

test("rubber band hits exactly the cells it touches", () => {
  // 3 columns of 100px cells with 10px gaps: the band from (50,50) to (160,120) touches cells 0,1 (row 0) and 3,4 (row 1).
  assert.deepEqual(cellsInBand(rectFrom(160, 120, 50, 50), 6, 3, 100, 10), [0, 1, 3, 4]);
  // A band inside a gap touches nothing.
  assert.deepEqual(cellsInBand(rectFrom(101, 0, 109, 300), 6, 3, 100, 10), []);
  const s = band(click(empty, order, 5, plain), order, [0, 1], true);
  assert.deepEqual([...s.ids].sort(), [10, 11, 15]);
});

test("retain drops ids that left the view", () => {
  const s = retain(click(empty, order, 2, plain), [10, 11]);
  assert.equal(s.ids.size, 0);
  assert.equal(s.anchor, null);
});
