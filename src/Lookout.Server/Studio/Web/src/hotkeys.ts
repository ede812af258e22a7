import { useEffect, useRef } from "preact/hooks";

// Keys that label: 1-9 for the first nine classes, then letters, so projects with more than ten classes keep
// one-key labelling (CVAT #8604). Letters that act on the selection are kept out.

const reserved = new Set(["x", "z", "a", "u"]); // x exclude, z/u undo, a select all (with ctrl)
const keys = [..."123456789", ..."bcdefghijklmnopqrstvwy".split("").filter(k => !reserved.has(k))];

export function hotkeyFor(index: number): string | null { return keys[index] ?? null; }

/** The class a key press labels with, or null. */
export function classForKey(key: string, classes: readonly string[]): string | null {
  const i = keys.indexOf(key.toLowerCase());
  return i >= 0 && i < classes.length ? classes[i]! : null;
}

/**
 * Calls the given handler on every keydown, always the handler of the latest render. The listener is registered once:
 * effects run after paint, so a listener re-registered in an effect can still hold the previous render's state
 * (the box editor's u undid the save before last: its undo list was one render old).
 */
export function useKeydown(handler: (e: KeyboardEvent) => void) {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    const listener = (e: KeyboardEvent) => latest.current(e);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
  }, []);
}
