import { useState } from "preact/hooks";
import { api, type FixDto, type ItemDto, type ProjectDto } from "./api";

/** A picture in a results view: its item and, when it came from a run's predictions, what the model answered. */
export interface ShownItem { item: ItemDto; caption: string; flagged?: boolean; fixed?: boolean }

export const NONE = "_none";
export const display = (label: string | null) => (label === NONE ? "none of these" : label ?? "(inbox)");

/**
 * A gallery of pictures with one-click fixes: click selects (several for the bulk versions), the fix bar relabels,
 * moves to "none of these", marks "suspect, ignore" or deletes; each fix can be undone. Grad-CAM opens under a picture
 * on double-click (or the "why?" button), computed by the server with the run's model.
 */
export function FixGallery({ project, run, items, onFixed, id }: { project: ProjectDto; run?: string; items: ShownItem[]; onFixed: () => void; id: string }) {
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [last, setLast] = useState<FixDto | null>(null);
  const [cam, setCam] = useState<number | null>(null);
  const [error, setError] = useState("");
  const classes = project.classes.map(c => c.name).filter(c => c !== NONE);
  const toggle = (n: number) => setSelected(s => { const t = new Set(s); if (t.has(n)) t.delete(n); else t.add(n); return t; });
  const apply = async (action: string, label?: string) => {
    if (selected.size === 0) { setError("select pictures first (click them)"); return; }
    try {
      const fix = await api.fix(project.name, action, [...selected], label, run);
      setLast(fix); setSelected(new Set()); setError(""); onFixed();
    } catch (x) { setError((x as Error).message); }
  };
  const undo = async () => {
    if (!last) return;
    try { await api.undoFix(project.name, last.id); setLast(null); onFixed(); } catch (x) { setError((x as Error).message); }
  };
  if (items.length === 0) return <p class="muted" id={id}>No pictures here.</p>;
  return (
    <div class="fix-gallery" id={id}>
      <div class="labelbar fixbar">
        <span class="muted">{selected.size} selected:</span>
        {classes.map(c => <button class="chip fix-relabel" data-class={c} onClick={() => void apply("relabel", c)}>→ {c}</button>)}
        <button class="chip" data-fix="none" onClick={() => void apply("none")}>none of these</button>
        <button class="chip" data-fix="suspect" onClick={() => void apply("suspect")}>suspect, ignore</button>
        <button class="chip" data-fix="delete" onClick={() => void apply("delete")}>delete</button>
        {last && <span class="fixed" id="fix-status">{last.changes.length} fixed ({last.action}{last.label ? ` → ${display(last.label)}` : ""}) <button class="link" id="fix-undo" onClick={() => void undo()}>undo</button></span>}
      </div>
      {error && <p class="error">{error}</p>}
      <div class="thumbs">
        {items.map(s => (
          <figure class={`thumb ${selected.has(s.item.id) ? "selected" : ""} ${s.flagged ? "flagged" : ""} ${s.fixed ? "fixed" : ""}`} data-id={s.item.id}>
            <img src={api.thumb(project.name, s.item.sha)} alt={s.item.name} loading="lazy" onClick={() => toggle(s.item.id)} />
            <figcaption>{s.caption} {run && <button class="link why" title="Grad-CAM: which pixels drove the answer" onClick={() => setCam(cam === s.item.id ? null : s.item.id)}>why?</button>}</figcaption>
            {run && cam === s.item.id && <img class="gradcam" src={api.gradcam(project.name, run, s.item.id)} alt="Grad-CAM overlay" />}
          </figure>
        ))}
      </div>
    </div>
  );
}

/** The fix journal: every fix with its pictures' count, newest first, each undoable. */
export function FixJournal({ project, fixes, onChanged }: { project: ProjectDto; fixes: FixDto[]; onChanged: () => void }) {
  if (fixes.length === 0) return <p class="muted">No fixes yet.</p>;
  return (
    <ul class="journal" id="journal">
      {fixes.map(f => (
        <li class={f.undone ? "undone" : ""}>
          {new Date(f.time).toLocaleTimeString()} · {f.action}{f.label ? ` → ${display(f.label)}` : ""} · {f.changes.length} pictures{f.run ? ` (from ${f.run})` : ""}
          {f.undone ? <span class="muted"> · undone</span> : <button class="link" onClick={() => void api.undoFix(project.name, f.id).then(onChanged)}>undo</button>}
        </li>
      ))}
    </ul>
  );
}
