import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { api, FIRST_PAGE, type ClusterDto, type ItemDto, type LabelChangeDto, type ProjectDto } from "./api";
import { Grid } from "./Grid";
import { classForKey, hotkeyFor, useKeydown } from "./hotkeys";
import { empty, retain, type Selection } from "./selection";
import { UndoStack, undoPlan } from "./undo";

export type View = { kind: "inbox" } | { kind: "class"; label: string } | { kind: "excluded" };

interface Props { project: ProjectDto; view: View; undo: UndoStack; onChanged: () => void }

/**
 * The labelling screen: a grid of the inbox, a class or the excluded items. Keyboard first: 1-9/letters label the
 * selection, Enter accepts the model's suggestions, x excludes, Ctrl+Z undoes; the same actions are buttons for touch.
 */
export function ItemsView({ project, view, undo, onChanged }: Props) {
  const [items, setItems] = useState<ItemDto[]>([]);
  const [order, setOrder] = useState("added");
  const [reason, setReason] = useState<string | null>(null);
  const [sel, setSel] = useState<Selection>(empty);
  const [focus, setFocus] = useState(-1);
  const [status, setStatus] = useState("");
  const [threshold, setThreshold] = useState(0.9);
  const [clusters, setClusters] = useState<ClusterDto[] | null>(null);
  const [loaded, setLoaded] = useState(false);
  const classes = project.classes.map(c => c.name);
  const viewKey = view.kind === "class" ? `class:${view.label}` : view.kind;

  const load = useCallback(async (firstPage = false) => {
    const label = view.kind === "class" ? view.label : undefined;
    const sort = view.kind === "inbox" ? order : undefined;
    const show = (list: { items: ItemDto[]; orderReason: string | null }) => {
      setItems(list.items);
      setReason(list.orderReason);
      setSel(s => retain(s, list.items.map(i => i.id)));
      setLoaded(true);
    };
    // A large view shows its first screen from a small page; the whole list replaces it once the first screen's
    // thumbnails had the server to themselves (on 2 cores the 10,000-item list would otherwise delay them).
    const page = await api.items(project.name, view.kind, label, sort, firstPage ? FIRST_PAGE : undefined);
    show(page);
    if (page.items.length < page.total) {
      await new Promise(r => setTimeout(r, 800));
      show(await api.items(project.name, view.kind, label, sort));
    }
  }, [project.name, viewKey, order]);

  useEffect(() => { setSel(empty); setFocus(-1); setClusters(null); setLoaded(false); setStatus(""); }, [viewKey]);
  useEffect(() => { void load(true).catch(e => setStatus((e as Error).message)); }, [load]);

  const shown = useMemo(() => {
    if (!clusters) return items;
    const byId = new Map(items.map(i => [i.id, i]));
    return clusters.flatMap(c => c.members.map(id => byId.get(id)).filter((i): i is ItemDto => !!i));
  }, [items, clusters]);

  const targets = (): number[] => (sel.ids.size > 0 ? [...sel.ids] : focus >= 0 && shown[focus] ? [shown[focus]!.id] : []);

  const after = async (what: string, changes: LabelChangeDto[]) => {
    undo.push({ label: what, changes });
    setStatus(`${what}: ${changes.length} item${changes.length === 1 ? "" : "s"} (Ctrl+Z undoes)`);
    setSel(empty);
    await load();
    onChanged();
  };

  const label = async (ids: number[], to: string | null) => {
    if (ids.length === 0) return;
    await after(to ? `labelled ${to}` : "back to inbox", await api.labels(project.name, ids, to));
  };
  const exclude = async (ids: number[], excluded: boolean, why?: string) => {
    if (ids.length === 0) return;
    await after(excluded ? "excluded" : "restored", await api.exclude(project.name, ids, excluded, why));
  };
  const acceptSuggestions = async (ids: number[]) => {
    const groups = new Map<string, number[]>();
    for (const item of items) if (ids.includes(item.id) && item.suggestion && !item.suggestion.unknown && classes.includes(item.suggestion.label))
      groups.set(item.suggestion.label, [...(groups.get(item.suggestion.label) ?? []), item.id]);
    const changes: LabelChangeDto[] = [];
    for (const [to, group] of groups) changes.push(...await api.labels(project.name, group, to));
    if (changes.length > 0) await after("accepted suggestions", changes);
    else setStatus("No suggestion to accept for that selection.");
  };
  const undoLast = async () => {
    const step = undo.pop();
    if (!step) { setStatus("Nothing to undo."); return; }
    const plan = undoPlan(step);
    if (plan.unexclude.length > 0) await api.exclude(project.name, plan.unexclude, false);
    for (const [to, ids] of plan.relabel) await api.labels(project.name, ids, to);
    if (plan.reexclude.length > 0) await api.exclude(project.name, plan.reexclude, true);
    setStatus(`Undid: ${step.label}`);
    await load();
    onChanged();
  };

  const run = (p: Promise<unknown>) => void p.catch(e => setStatus((e as Error).message));

  useKeydown(e => {
    const t = e.target as HTMLElement;
    if (t.closest("input:not([type=checkbox]), textarea, select")) return;
    const ctrl = e.ctrlKey || e.metaKey;
    if (ctrl && e.key.toLowerCase() === "z" || (!ctrl && e.key.toLowerCase() === "u")) { e.preventDefault(); run(undoLast()); return; }
    if (ctrl && e.key.toLowerCase() === "a") { e.preventDefault(); setSel({ ids: new Set(shown.map(i => i.id)), anchor: shown[0]?.id ?? null }); return; }
    if (ctrl || e.altKey) return;
    if (e.key === "Escape") { setSel(empty); return; }
    if (e.key === "Enter") { e.preventDefault(); run(acceptSuggestions(targets())); return; }
    if (e.key === "x" || e.key === "Delete") { run(exclude(targets(), view.kind !== "excluded", "by hand")); return; }
    if (e.key.startsWith("Arrow")) {
      e.preventDefault();
      const cols = Math.max(1, Math.floor(((document.querySelector(".grid") as HTMLElement)?.clientWidth ?? 800) / 144));
      const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -cols, ArrowDown: cols }[e.key] ?? 0;
      const next = Math.max(0, Math.min(shown.length - 1, (focus < 0 ? 0 : focus + step)));
      setFocus(next);
      if (shown[next]) setSel(e.shiftKey ? { ids: new Set([...sel.ids, shown[next]!.id]), anchor: sel.anchor } : { ids: new Set([shown[next]!.id]), anchor: shown[next]!.id });
      return;
    }
    const to = classForKey(e.key, classes);
    if (to) { e.preventDefault(); run(label(targets(), to)); }
  });

  const suggested = items.filter(i => i.suggestion && !i.suggestion.unknown && i.suggestion.score >= threshold && classes.includes(i.suggestion.label));
  const flagged = items.filter(i => (i.blurry || i.empty) && !i.excluded);
  const title = view.kind === "inbox" ? "Inbox" : view.kind === "excluded" ? "Excluded from training" : view.label;

  return (
    <section class="items">
      <div class="toolbar">
        <h2>{title} <span class="muted">{items.length}</span></h2>
        {view.kind === "inbox" && (
          <>
            <label>Order <select id="order" value={order} onChange={e => setOrder((e.target as HTMLSelectElement).value)}>
              <option value="added">as added</option>
              <option value="useful">most useful first</option>
            </select></label>
            <button id="suggest" disabled={!project.model} title={project.model ? `Pre-label with ${project.model.run}` : "Train a model first"}
              onClick={() => run(api.suggest(project.name).then(r => { setStatus(r.reason ?? `${r.run}: ${r.scored} suggestions`); return load(); }))}>
              Suggest labels{project.model ? ` (${project.model.run})` : ""}
            </button>
            <span class="accept-above">
              <label>accept all at ≥ <input id="accept-threshold" type="number" min={0} max={1} step={0.05} value={threshold}
                onInput={e => setThreshold(Number((e.target as HTMLInputElement).value))} /></label>
              <button id="accept-above" disabled={suggested.length === 0} onClick={() => run(acceptSuggestions(suggested.map(i => i.id)))}>Accept {suggested.length}</button>
            </span>
          </>
        )}
        <button id="duplicates" onClick={() => run(clusters ? Promise.resolve(setClusters(null)) : api.duplicates(project.name).then(c => { setClusters(c); setStatus(`${c.length} group${c.length === 1 ? "" : "s"} of near-duplicates`); }))}>
          {clusters ? "Show all" : "Near-duplicates"}
        </button>
        {clusters && clusters.length > 0 && (
          <button id="keep-one-each" onClick={() => run(exclude(clusters.flatMap(c => c.members.filter(m => m !== c.keep)), true, "near-duplicate").then(() => setClusters(null)))}>
            Keep one of each ({clusters.reduce((n, c) => n + c.members.length - 1, 0)} out)
          </button>
        )}
        {view.kind !== "excluded" && flagged.length > 0 && (
          <button id="exclude-blurry" onClick={() => run(exclude(flagged.map(i => i.id), true, "blurry or empty"))}>Exclude {flagged.length} blurry/empty</button>
        )}
      </div>
      {reason && <p class="order-reason" id="order-reason">{reason}</p>}
      {shown[focus]?.rank && <p class="why" id="why">#{shown[focus]!.rank!.position}: {shown[focus]!.rank!.reason}</p>}
      <div class="labelbar" role="toolbar" aria-label="Label the selection">
        {classes.map((c, i) => (
          <button class="chip" data-class={c} onClick={() => run(label(targets(), c))}><kbd>{hotkeyFor(i) ?? ""}</kbd> {c}</button>
        ))}
        {view.kind !== "inbox" && <button class="chip" onClick={() => run(label(targets(), null))}>to inbox</button>}
        <button class="chip" onClick={() => run(exclude(targets(), view.kind !== "excluded", "by hand"))}><kbd>x</kbd> {view.kind === "excluded" ? "restore" : "exclude"}</button>
        <button class="chip" onClick={() => run(undoLast())}><kbd>^Z</kbd> undo</button>
        <span class="muted" id="selected-count">{sel.ids.size > 0 ? `${sel.ids.size} selected` : ""}</span>
      </div>
      <p class="status" id="status" role="status">{status || (loaded ? hint(view, items.length) : "Loading…")}</p>
      <Grid project={project.name} items={shown} selection={sel} onSelection={setSel} focus={focus} onFocus={setFocus}
        badge={item => <Badges item={item} cluster={clusters?.find(c => c.members.includes(item.id))} />} />
    </section>
  );
}

function hint(view: View, n: number): string {
  if (n === 0) return view.kind === "inbox" ? "The inbox is empty: everything has a class." : "";
  return "Click, shift-click or drag a box to select; press a class key (1–9, letters) to label, Enter to accept suggestions.";
}

function Badges({ item, cluster }: { item: ItemDto; cluster?: ClusterDto }) {
  const s = item.suggestion;
  return (
    <>
      {item.rank && <span class="rank" title={item.rank.reason}>#{item.rank.position}</span>}
      {s && <span class={`sug${s.unknown ? " unknown" : ""}`} title={`${s.label} ${pct(s.score)}, then ${s.second ?? "-"} (margin ${pct(s.margin)})`}>{s.unknown ? "unknown" : s.label} {pct(s.score)}</span>}
      {item.label && <span class="lbl">{item.label}</span>}
      {(item.blurry || item.empty) && <span class="blur" title={`sharpness ${item.sharpness ?? "?"}`}>{item.empty ? "empty" : "blurry"}</span>}
      {item.sharpness !== null && <span class="sharp" title="sharpness (variance of the Laplacian)">{Math.round(item.sharpness)}</span>}
      {cluster && <span class={cluster.keep === item.id ? "keep" : "dup"}>{cluster.keep === item.id ? "keep" : "dup"}</span>}
      {item.video && <span class="vid" title={item.video}>▶ {((item.timeMs ?? 0) / 1000).toFixed(1)}s</span>}
    </>
  );
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
