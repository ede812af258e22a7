// Undo of labelling: each step remembers every item's state before it, grouped so one request restores each group.

export interface Change { id: number; before: string | null; after: string | null; wasExcluded: boolean }

export interface Step { label: string; changes: Change[] }

export class UndoStack {
  private steps: Step[] = [];
  constructor(private readonly limit = 100) {}

  push(step: Step): void {
    if (step.changes.length === 0) return;
    this.steps.push(step);
    if (this.steps.length > this.limit) this.steps.shift();
  }

  pop(): Step | undefined { return this.steps.pop(); }
  get size(): number { return this.steps.length; }
  peek(): Step | undefined { return this.steps[this.steps.length - 1]; }
}

/** What undoing a step asks the server: labels per previous value, then which items to exclude again. */
export function undoPlan(step: Step): { relabel: Map<string | null, number[]>; reexclude: number[]; unexclude: number[] } {
  const relabel = new Map<string | null, number[]>();
  const reexclude: number[] = [];
  const unexclude: number[] = [];
  for (const c of step.changes) {
    if (c.before !== c.after) {
      const list = relabel.get(c.before) ?? [];
      list.push(c.id);
      relabel.set(c.before, list);
    }
    if (c.wasExcluded) reexclude.push(c.id);
    else if (step.label.startsWith("exclude")) unexclude.push(c.id);
  }
  return { relabel, reexclude, unexclude };
}
