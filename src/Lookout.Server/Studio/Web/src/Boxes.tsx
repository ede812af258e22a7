import { useEffect, useRef, useState } from "preact/hooks";
import { api, type BoxesDto, type BoxIndexDto, type ProjectDto, type SuggestionsDto } from "./api";
import { drag, hit, isUsable, normalise, nudge, type EditBox, type Handle } from "./boxGeometry";
import { classForKey, hotkeyFor, useKeydown } from "./hotkeys";

const COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d", "#4f46e5", "#ea580c"];

interface Picture { data: BoxesDto; suggestions: SuggestionsDto | null }
interface Gesture { handle: Handle | "new"; index: number; start: EditBox; x: number; y: number }
/** What undo reverts: a save (the boxes the picture had before) or a picture left out of the project. */
type Saved = { id: number; before: BoxesDto } | { id: number; leftOut: true };

/** A picture's name as the editor says it: a video's frame picture (<video>_frame_<ms>.png) by its time in the video. */
export function shown(name: string | undefined): string {
  if (!name) return "the picture";
  const frame = /_frame_(\d+)\.[a-z]+$/i.exec(name);
  if (!frame) return name;
  const seconds = Math.floor(Number(frame[1]) / 1000);
  return `the frame at ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * The box editor of a detection project, keyboard first: the detector's boxes are pre-filled (dashed) and Enter saves
 * them all and opens the next picture not reviewed yet. Drag on the picture to draw a box (Shift+drag: also over
 * another box), drag a box to move it, a corner to resize it; Tab picks a box, a class key (1-9…) sets its class, arrows move it (Shift: resize), x deletes.
 */
export function Boxes({ project, picture: opened, onChanged }: { project: ProjectDto; picture?: number; onChanged: () => void }) {
  const [index, setIndex] = useState<BoxIndexDto | null>(null);
  const [at, setAt] = useState(0);
  const [picture, setPicture] = useState<Picture | null>(null);
  const [boxes, setBoxes, latestBoxes] = useLatest<EditBox[]>([]);
  const [selected, setSelected, latestSelected] = useLatest<number | null>(null);
  const [current, setCurrent] = useState<string>("");
  const [status, setStatus] = useState("");
  const [note, setNote] = useState(""); // what the last undo did; cleared by the next save
  const [error, setError] = useState("");
  const [undo, setUndo] = useState<Saved[]>([]);
  const [newClass, setNewClass] = useState("");
  const svg = useRef<SVGSVGElement>(null);
  const gesture = useRef<Gesture | null>(null);
  const classes = index?.classes ?? [];
  const pictures = index?.pictures ?? [];
  const id = pictures[at]?.id;

  const loadIndex = async (goTo?: number) => {
    try {
      const i = await api.boxIndex(project.name);
      setIndex(i);
      setCurrent(c => c || i.classes[0] || "");
      if (goTo !== undefined) setAt(Math.max(0, i.pictures.findIndex(p => p.id === goTo)));
      else { const first = i.pictures.findIndex(p => !p.reviewed); setAt(first >= 0 ? first : 0); }
    } catch (x) { setError((x as Error).message); }
  };
  // #/p/<project>/boxes/<id> (a Results gallery's picture) opens that picture, to fix its boxes.
  useEffect(() => { void loadIndex(opened !== undefined && !Number.isNaN(opened) ? opened : undefined); }, [project.name, opened]);

  const showing = useRef<number | null>(null); // the picture the newest load is for: an older load that ends later is dropped
  const loadPicture = async (pid: number) => {
    showing.current = pid;
    setPicture(null); setSelected(null); setError("");
    setStatus("Loading…"); // never the previous picture's "N suggested: Enter accepts them all" over this one
    try {
      const data = await api.boxes(project.name, pid);
      let suggestions: SuggestionsDto | null = null;
      if (showing.current !== pid) return;
      if (!data.reviewed) {
        setStatus("The detector is looking…");
        suggestions = await api.suggestBoxes(project.name, pid);
        if (showing.current !== pid) return;
      }
      setPicture({ data, suggestions });
      setBoxes(data.reviewed
        ? data.boxes.map(b => ({ ...b, suggested: false }))
        : suggestions!.boxes.map(b => ({ label: b.label, x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, score: b.score ?? null, suggested: true })));
      setStatus(data.reviewed ? `Saved: ${data.boxes.length} box${data.boxes.length === 1 ? "" : "es"}.`
        : `${suggestions!.boxes.length} suggested by ${suggestions!.trained ? `your detector (${suggestions!.run})` : suggestions!.detector}: Enter accepts them all.`);
    } catch (x) { if (showing.current === pid) { setError((x as Error).message); setStatus(""); } }
  };
  useEffect(() => { if (id !== undefined) void loadPicture(id); }, [id]);

  const W = picture?.data.width ?? 1, H = picture?.data.height ?? 1;

  const save = async (list: EditBox[] = latestBoxes.current) => {
    if (id === undefined) return;
    const usable = list.filter(isUsable);
    setNote("");
    try {
      const r = await api.saveBoxes(project.name, id, usable);
      setUndo(u => [...u.slice(-49), { id, before: r.before }]);
      const reviewedNow = pictures.map(p => (p.id === id ? { ...p, reviewed: true, boxes: r.after.boxes.length } : p));
      setIndex(i => (i ? { ...i, pictures: reviewedNow, classes: Array.from(new Set([...i.classes, ...usable.map(b => b.label)])) } : i));
      const next = reviewedNow.findIndex((p, k) => k > at && !p.reviewed);
      const wrap = next >= 0 ? next : reviewedNow.findIndex(p => !p.reviewed);
      const saved = `Saved ${r.after.boxes.length} box${r.after.boxes.length === 1 ? "" : "es"} on ${shown(pictures[at]?.name)}.`;
      if (wrap >= 0 && wrap !== at) {
        setNote(saved); // the note stays while the next picture's suggestions take the status line
        setAt(wrap);
      } else {
        // Nothing left to review: stay, showing what was saved.
        setPicture({ data: r.after, suggestions: null });
        setBoxes(r.after.boxes.map(b => ({ ...b, suggested: false })));
        setSelected(null);
        setStatus(`${saved} Every picture is reviewed.`);
      }
      onChanged();
    } catch (x) { setError((x as Error).message); }
  };

  // A picture that should not be in the project at all (a blurred frame, a wrong upload) goes to the excluded folder with its box file.
  const leaveOut = async () => {
    if (id === undefined) return;
    const name = shown(pictures[at]?.name);
    try {
      await api.exclude(project.name, [id], true, "left out in the box editor");
      setUndo(u => [...u.slice(-49), { id, leftOut: true }]);
      setNote(`Left out: ${name} (u brings it back).`);
      const rest = pictures.filter(p => p.id !== id);
      const next = rest.findIndex((p, k) => k >= at && !p.reviewed);
      await loadIndex(rest[next >= 0 ? next : Math.min(at, rest.length - 1)]?.id);
      onChanged();
    } catch (x) { setError((x as Error).message); }
  };

  const undoLast = async () => {
    const last = undo[undo.length - 1];
    if (!last) return;
    try {
      if ("leftOut" in last) await api.exclude(project.name, [last.id], false);
      else if (last.before.reviewed) await api.saveBoxes(project.name, last.id, last.before.boxes);
      else await api.clearBoxes(project.name, last.id);
      setUndo(u => u.slice(0, -1));
      setNote("leftOut" in last ? "Undone: the picture is back." : `Undone: ${shown(pictures.find(p => p.id === last.id)?.name)} has its previous boxes again.`);
      await loadIndex(last.id);
      if (last.id === id) void loadPicture(last.id);
      onChanged();
    } catch (x) { setError((x as Error).message); }
  };

  const setLabel = (label: string) => {
    if (selected !== null) setBoxes(bs => bs.map((b, k) => (k === selected ? { ...b, label, suggested: false } : b)));
    setCurrent(label);
  };
  const go = (delta: number) => setAt(a => Math.min(pictures.length - 1, Math.max(0, a + delta)));

  // The keyboard drives the editor (form fields keep their keys).
  useKeydown(e => {
    const t = e.target as HTMLElement;
    if (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA") return;
    const k = e.key;
    const boxes = latestBoxes.current, selected = latestSelected.current;
    if (k === "Enter") { e.preventDefault(); void save(); }
    else if ((k === "z" && (e.ctrlKey || e.metaKey)) || k === "u") { e.preventDefault(); void undoLast(); }
    else if (k === "Escape") setSelected(null);
    else if (k === "Tab") {
      e.preventDefault();
      if (boxes.length === 0) return;
      setSelected(s => (s === null ? (e.shiftKey ? boxes.length - 1 : 0) : (s + (e.shiftKey ? boxes.length - 1 : 1)) % boxes.length));
    } else if ((k === "Delete" || k === "Backspace" || k === "x") && selected !== null) {
      e.preventDefault();
      setBoxes(bs => bs.filter((_, j) => j !== selected));
      setSelected(null);
    } else if (k.startsWith("Arrow")) {
      e.preventDefault();
      if (selected === null) { if (k === "ArrowRight") go(1); else if (k === "ArrowLeft") go(-1); return; }
      const step = Math.max(1, Math.round(Math.max(W, H) / (e.altKey ? 500 : 100)));
      setBoxes(bs => bs.map((b, j) => (j === selected ? nudge(b, k, e.shiftKey, step, W, H) : b)));
    } else if (!e.ctrlKey && !e.metaKey && !e.altKey) {
      const label = classForKey(k, classes);
      if (label) { e.preventDefault(); setLabel(label); }
    }
  });

  const toPicture = (e: PointerEvent) => {
    const r = svg.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * W) / r.width, y: ((e.clientY - r.top) * H) / r.height, perPixel: W / r.width };
  };
  const down = (e: PointerEvent) => {
    if (!picture) return;
    const p = toPicture(e);
    const found = e.shiftKey ? null : hit(boxes, p.x, p.y, 10 * p.perPixel); // Shift+drag draws even over other boxes
    svg.current!.setPointerCapture(e.pointerId);
    if (found) {
      setSelected(found.index);
      gesture.current = { handle: found.handle, index: found.index, start: boxes[found.index]!, x: p.x, y: p.y };
      return;
    }
    const label = current || classes[0];
    if (!label) { setStatus("Add a class first (left)."); return; }
    const start: EditBox = { label, x1: p.x, y1: p.y, x2: p.x, y2: p.y, suggested: false };
    gesture.current = { handle: "new", index: boxes.length, start, x: p.x, y: p.y };
    setBoxes(bs => [...bs, start]);
    setSelected(boxes.length);
  };
  const move = (e: PointerEvent) => {
    const g = gesture.current;
    if (!g) return;
    const p = toPicture(e);
    const next = g.handle === "new" ? normalise({ ...g.start, x2: p.x, y2: p.y }, W, H) : drag(g.start, g.handle, p.x - g.x, p.y - g.y, W, H);
    setBoxes(bs => bs.map((b, j) => (j === g.index ? next : b)));
  };
  const up = () => {
    const g = gesture.current;
    gesture.current = null;
    if (g?.handle === "new") setBoxes(bs => { const kept = bs.filter(isUsable); if (kept.length < bs.length) setSelected(null); return kept; });
  };

  const mapClass = async (from: string, to: string) => {
    try { await api.mapClass(project.name, from, to); await loadIndex(id); if (id !== undefined) void loadPicture(id); }
    catch (x) { setError((x as Error).message); }
  };
  const addClass = async (e: Event) => {
    e.preventDefault();
    try { await api.addClass(project.name, newClass); setCurrent(newClass.trim()); setNewClass(""); await loadIndex(id); onChanged(); }
    catch (x) { setError((x as Error).message); }
  };

  if (!index) return <section class="boxes"><h2>Boxes</h2>{error ? <p class="error">{error}</p> : <p class="muted">Loading…</p>}</section>;
  const reviewed = pictures.filter(p => p.reviewed).length;
  const colour = (label: string) => COLOURS[Math.max(0, classes.indexOf(label)) % COLOURS.length];
  const font = Math.max(W, H) / 45;
  return (
    <section class="boxes">
      <div class="toolbar">
        <h2>Boxes</h2>
        <span class="muted" id="boxes-position">{pictures.length ? `${at + 1} of ${pictures.length}` : "no pictures"} · {reviewed} reviewed</span>
        <button id="boxes-prev" disabled={at <= 0} onClick={() => go(-1)}>◀</button>
        <button id="boxes-next" disabled={at >= pictures.length - 1} onClick={() => go(1)}>▶</button>
        <button id="boxes-save" disabled={!picture} onClick={() => void save()}>Save &amp; next <kbd>Enter</kbd></button>
        <button id="boxes-nothing" disabled={!picture} onClick={() => { setBoxes([]); void save([]); }} title="Nothing of the classes is in this picture">Nothing here</button>
        <button id="boxes-leave-out" disabled={id === undefined} onClick={() => void leaveOut()} title="Not a picture for this project (blurred, wrong): excluded from training, with its boxes; u brings it back">Leave out</button>
        <button id="boxes-undo" disabled={undo.length === 0} onClick={() => void undoLast()}>Undo <kbd>u</kbd></button>
      </div>
      {pictures.length === 0 && <p class="muted">Add photos on the Collect tab (into the inbox); they appear here to box.</p>}
      <div class="boxes-body">
        <div class="boxes-side">
          <h3>Class for boxes</h3>
          <ul id="box-classes">
            {classes.map((c, i) => (
              <li class={c === current ? "active" : ""} data-class={c}>
                <button class="link" onClick={() => setLabel(c)}><kbd>{hotkeyFor(i) ?? ""}</kbd> <i class="swatch" style={{ background: colour(c) }} /> {c}</button>
              </li>
            ))}
          </ul>
          <form class="row" onSubmit={addClass}>
            <input id="box-new-class" value={newClass} onInput={e => setNewClass((e.target as HTMLInputElement).value)} placeholder="New class" />
            <button type="submit">Add</button>
          </form>
          {picture?.suggestions && picture.suggestions.unmapped.length > 0 && (
            <div class="unmapped" id="boxes-unmapped">
              <h3>{picture.suggestions.detector} also saw</h3>
              {picture.suggestions.unmapped.map(u => (
                <label class="row">{u.label} ×{u.boxes} →
                  <select data-from={u.label} onChange={e => { const v = (e.target as HTMLSelectElement).value; if (v) void mapClass(u.label, v); }}>
                    <option value="">not a class here</option>
                    {classes.map(c => <option value={c}>{c}</option>)}
                  </select>
                </label>
              ))}
            </div>
          )}
          <p class="muted keys">Train a detector on the reviewed pictures on the <a href={`#/p/${encodeURIComponent(project.name)}/train`}>Train</a> tab (or <code>lookout train {project.name}/data --task detect</code> in the studio's projects folder).</p>
          <p class="muted keys">Enter: save all &amp; next · drag: draw/move/resize (Shift+drag: draw over a box) · Tab: pick a box · {hotkeyFor(0)}…: its class · arrows: move (Shift: resize) · x: delete · u: undo · ◀ ▶ with no box picked: other pictures</p>
        </div>
        <div class="boxes-main">
          {error && <p class="error" id="boxes-error">{error}</p>}
          <p class="status"><span id="boxes-status">{status}</span>{note && <> · <span id="boxes-note">{note}</span></>}</p>
          {id !== undefined && (
            <div class="stage" id="boxes-stage">
              <img src={api.picture(project.name, id)} alt={pictures[at]?.name} draggable={false} />
              {picture && (
                <svg ref={svg} viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={up}>
                  {boxes.map((b, i) => (
                    <g class={`box${b.suggested ? " suggested" : ""}${i === selected ? " selected" : ""}`} data-index={i} data-label={b.label} style={{ color: colour(b.label) }}>
                      <rect x={b.x1} y={b.y1} width={b.x2 - b.x1} height={b.y2 - b.y1} vector-effect="non-scaling-stroke" />
                      <text x={b.x1 + font * 0.2} y={b.y1 + font} font-size={font} vector-effect="non-scaling-stroke">{b.label}{b.suggested && b.score ? ` ${Math.round(b.score * 100)}%` : ""}</text>
                      {i === selected && ([[b.x1, b.y1], [b.x2, b.y1], [b.x1, b.y2], [b.x2, b.y2]] as const).map(([x, y]) => (
                        <rect class="handle" x={x - font / 3} y={y - font / 3} width={font / 1.5} height={font / 1.5} />
                      ))}
                    </g>
                  ))}
                </svg>
              )}
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

/**
 * State whose latest value the key handler reads at once: keys can arrive faster than the page re-renders, and a
 * handler from the previous render would act on stale boxes (Enter right after three Shift+← saved only two of them).
 */
function useLatest<T>(initial: T) {
  const [value, setValue] = useState(initial);
  const latest = useRef(initial);
  const set = (next: T | ((current: T) => T)) => {
    latest.current = typeof next === "function" ? (next as (current: T) => T)(latest.current) : next;
    setValue(latest.current);
  };
  return [value, set, latest] as const;
}
