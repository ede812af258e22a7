import { useEffect, useState } from "preact/hooks";
import { api, type CompareDto, type FixDto, type IssuesDto, type PredictedItemDto, type ProjectDto, type RunResultsDto, type RunRowDto, type ServingDto, type WalkthroughDto } from "./api";
import { Curves } from "./Curves";
import { DetectResults } from "./DetectResults";
import { display, FixGallery, FixJournal, type ShownItem } from "./Fixes";

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);
const link = (project: string, run: string) => `#/p/${encodeURIComponent(project)}/results/${encodeURIComponent(run)}`;
// The cell keeps the pictures the run saw there; one fixed since says what it is now.
const shown = (list: PredictedItemDto[]): ShownItem[] => list.map(p => ({
  item: p.item, flagged: p.truth !== p.predicted, fixed: p.item.excluded || p.item.label !== p.truth,
  caption: `${display(p.truth)} → ${p.unknown ? "unknown" : display(p.predicted)} (${p.score.toFixed(2)})` +
    (p.item.excluded ? " · now ignored" : p.item.label !== p.truth ? ` · now ${display(p.item.label)}` : ""),
}));

/** The Results tab: the runs, and for the chosen one everything its folder recorded, with fixes from any picture. */
export function Results({ project, run, onChanged }: { project: ProjectDto; run?: string; onChanged: () => void }) {
  return project.task === "detect" ? <DetectResults project={project} run={run} onChanged={onChanged} /> : <ClassifyResults project={project} run={run} onChanged={onChanged} />;
}

function ClassifyResults({ project, run, onChanged }: { project: ProjectDto; run?: string; onChanged: () => void }) {
  const [runs, setRuns] = useState<RunRowDto[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => { void api.runs(project.name).then(setRuns).catch(x => setError((x as Error).message)); }, [project.name, run]);
  const chosen = run ?? runs?.find(r => r.hasModel)?.id;
  return (
    <section class="results">
      <h2>Results</h2>
      {error && <p class="error">{error}</p>}
      <table class="runs" id="runs">
        <thead><tr><th>run</th><th>created</th><th>test accuracy</th><th>state</th><th>serves</th><th></th></tr></thead>
        <tbody>
          {runs?.map(r => (
            <tr class={r.id === chosen ? "active" : ""} data-run={r.id}>
              <td><a href={link(project.name, r.id)}>{r.id}</a></td><td>{new Date(r.created).toLocaleString()}</td>
              <td>{pct(r.testAccuracy)}{r.testCount ? ` of ${r.testCount}` : ""}</td><td>{r.state}</td><td>{r.serves.join(", ")}</td>
              <td>{r.hasModel && <a class="try-link" href={`#/p/${encodeURIComponent(project.name)}/try/${encodeURIComponent(r.id)}`}>try it</a>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs?.length === 0 && <p class="muted">No runs yet: train one first.</p>}
      {chosen && runs && <RunView project={project} run={chosen} runs={runs} onChanged={onChanged} />}
    </section>
  );
}

function RunView({ project, run, runs, onChanged }: { project: ProjectDto; run: string; runs: RunRowDto[]; onChanged: () => void }) {
  const [r, setR] = useState<RunResultsDto | null>(null);
  const [cell, setCell] = useState<{ actual?: string; predicted?: string; items: PredictedItemDto[] } | null>(null);
  const [fixes, setFixes] = useState<FixDto[]>([]);
  const [serving, setServing] = useState<ServingDto | null>(null);
  const [issues, setIssues] = useState<IssuesDto | null>(null);
  const [compareWith, setCompareWith] = useState("");
  const [compare, setCompare] = useState<CompareDto | null>(null);
  const [walks, setWalks] = useState<WalkthroughDto[]>([]);
  const [walkScore, setWalkScore] = useState("");
  const [name, setName] = useState(project.name);
  const [status, setStatus] = useState("");
  const reloadSide = () => { void api.fixes(project.name).then(setFixes); void api.serving(project.name).then(setServing); };
  useEffect(() => {
    setR(null); setCell(null); setCompare(null); setIssues(null);
    void api.run(project.name, run).then(setR).catch(x => setStatus((x as Error).message));
    void api.walkthroughs(project.name).then(setWalks).catch(() => setWalks([]));
    reloadSide();
  }, [project.name, run]);
  const open = async (actual?: string, predicted?: string) => setCell({ actual, predicted, items: await api.cell(project.name, run, actual, predicted) });
  const fixed = () => { reloadSide(); onChanged(); if (cell) void open(cell.actual, cell.predicted); };
  const promote = async () => {
    try { const s = await api.promote(project.name, run, name); setStatus(`${s.run} now answers /v1/classify?model=${s.name}`); reloadSide(); }
    catch (x) { setStatus((x as Error).message); }
  };
  if (!r) return <p class="muted">{status || "Loading…"}</p>;
  const t = r.test;
  const current = serving?.current.find(c => c.name === name);
  const previous = serving?.history.filter(h => h.name === name)[1];
  return (
    <div class="run" id="run" data-run={run}>
      <div class="panel summary">
        <h3>{run} <span class="muted">{r.state}</span></h3>
        {t ? <p id="run-accuracy">Test accuracy <strong>{pct(t.accuracy)}</strong> [{pct(t.accuracyCi.low)}, {pct(t.accuracyCi.high)}] on {t.count} pictures · macro F1 {t.macroF1.toFixed(3)}
          {t.calledUnknown !== null && <> · answered "unknown" for {t.calledUnknown} of {t.count} ({pct(t.calledUnknown / Math.max(1, t.count))})</>}</p>
          : <p class="muted">No test evaluation (no test pictures?).</p>}
        <div class="row promote">
          <input id="serve-name" value={name} onInput={e => setName((e.target as HTMLInputElement).value)} />
          <button id="promote" disabled={!r.hasModel} onClick={() => void promote()}>Serve this run</button>
          {previous && current?.run === run && <button id="rollback" onClick={() => void api.promote(project.name, previous.run, name).then(s => { setStatus(`rolled back: ${s.run} serves ${s.name}`); reloadSide(); })}>Roll back to {previous.run}</button>}
          <span id="serving-status" class="muted">{status || (current ? `${current.run} serves “${current.name}”` : "not served yet")}</span>
        </div>
      </div>

      {t && (
        <div class="panel">
          <h3>Per class</h3>
          <table class="per-class" id="per-class">
            <thead><tr><th>class</th><th>support</th><th>precision</th><th>recall</th><th>F1</th></tr></thead>
            <tbody>{t.perClass.map(c => (
              <tr><td>{display(c.label)}</td><td>{c.support}</td>
                <td>{pct(c.precision)} <span class="muted">[{pct(c.precisionCi.low)}, {pct(c.precisionCi.high)}]</span></td>
                <td>{pct(c.recall)} <span class="muted">[{pct(c.recallCi.low)}, {pct(c.recallCi.high)}]</span></td>
                <td>{c.f1.toFixed(3)}</td></tr>
            ))}</tbody>
          </table>
          <h3>Confusion matrix <span class="muted">(rows: true class, columns: answer; click a cell for its pictures)</span></h3>
          <table class="confusion" id="confusion">
            <thead><tr><th />{t.labels.map(l => <th><button class="link" onClick={() => void open(undefined, l)}>{display(l)}</button></th>)}</tr></thead>
            <tbody>{t.labels.map((a, i) => (
              <tr><th><button class="link" onClick={() => void open(a)}>{display(a)}</button></th>
                {t.labels.map((p, j) => {
                  const n = t.confusion[i]![j]!;
                  return <td class={`${i === j ? "diag" : n > 0 ? "off" : ""}`}><button class="cell-button" data-actual={a} data-predicted={p} disabled={n === 0} onClick={() => void open(a, p)}>{n}</button></td>;
                })}</tr>
            ))}</tbody>
          </table>
          {cell && (
            <div class="cell-items" id="cell">
              <h3>{cell.actual !== undefined ? display(cell.actual) : "any"} → {cell.predicted !== undefined ? display(cell.predicted) : "any"}: {cell.items.length} pictures</h3>
              <FixGallery project={project} run={run} items={shown(cell.items)} onFixed={fixed} id="cell-gallery" />
            </div>
          )}
        </div>
      )}

      {r.topLosses.length > 0 && (
        <div class="panel"><h3>Top losses <span class="muted">(the test pictures the model was most wrong about)</span></h3>
          <TopLosses project={project} run={run} r={r} onFixed={fixed} />
        </div>
      )}

      <div class="panel"><h3>Training curves</h3><Curves points={r.epochs} /></div>

      <div class="panel">
        <h3>Data issues</h3>
        <button id="find-issues" onClick={() => { setStatus("looking for data issues…"); void api.issues(project.name).then(x => { setIssues(x); setStatus(""); }).catch(e => setStatus((e as Error).message)); }}>Find suspect labels, leaks and outliers</button>
        {issues && (
          <>
            <h4>Suspect labels ({issues.suspects.length})</h4>
            <FixGallery project={project} run={run} id="suspects" onFixed={fixed}
              items={issues.suspects.map(s => ({ item: s.item, flagged: true, caption: `labelled ${display(s.label)}, looks like ${display(s.suggested)}` }))} />
            <h4>Near-duplicates across splits ({issues.crossSplitDuplicates.length})</h4>
            <FixGallery project={project} run={run} id="leaks" onFixed={fixed}
              items={issues.crossSplitDuplicates.flatMap(d => [{ item: d.a, caption: `${d.splitA} (${d.similarity.toFixed(2)})` }, { item: d.b, caption: d.splitB }])} />
            <h4>Outliers ({issues.outliers.length})</h4>
            <FixGallery project={project} run={run} id="outliers" onFixed={fixed}
              items={issues.outliers.map(o => ({ item: o.item, caption: `${display(o.label)} (z ${o.robustZ.toFixed(1)})` }))} />
          </>
        )}
      </div>

      {r.openSetJson && <div class="panel"><h3>Open-set check</h3><pre>{r.openSetJson}</pre></div>}

      {walks.length > 0 && r.hasModel && (
        <div class="panel"><h3>Walk-through</h3>
          {walks.map(w => <button onClick={() => { setWalkScore("scoring…"); void api.scoreWalkthrough(project.name, run, w.id).then(e => setWalkScore(`${w.name}: ${pct(e.accuracy)} per frame, ${pct(e.smoothedAccuracy)} smoothed (${e.scored} frames)`)).catch(x => setWalkScore((x as Error).message)); }}>Score on {w.name}</button>)}
          <p id="walk-score">{walkScore}</p>
        </div>
      )}

      <div class="panel">
        <h3>Compare with another run</h3>
        <div class="row">
          <select id="compare-with" value={compareWith} onChange={e => setCompareWith((e.target as HTMLSelectElement).value)}>
            <option value="">choose a run</option>
            {runs.filter(x => x.id !== run).map(x => <option value={x.id}>{x.id}</option>)}
          </select>
          <button id="compare" disabled={!compareWith} onClick={() => void api.compare(project.name, compareWith, run).then(setCompare)}>Compare</button>
        </div>
        {compare && <Compare c={compare} a={compareWith} b={run} />}
      </div>

      <div class="panel"><h3>Fixes</h3><FixJournal project={project} fixes={fixes} onChanged={fixed} /></div>

      {r.manifest && (
        <div class="panel"><h3>Manifest</h3>
          <p id="manifest">Trained {new Date(r.manifest.created).toLocaleString()} · backbone {r.manifest.backbone} · seed {r.manifest.seed} · code {r.manifest.codeVersion}<br />
            data {r.manifest.datasetHash.slice(0, 12)} · {Object.entries(r.manifest.splits).map(([k, v]) => `${k} ${v}`).join(", ")} · classes {r.manifest.labels.map(display).join(", ")}</p>
          {r.optionsJson && <details><summary>options</summary><pre>{r.optionsJson}</pre></details>}
        </div>
      )}
    </div>
  );
}

function TopLosses({ project, run, r, onFixed }: { project: ProjectDto; run: string; r: RunResultsDto; onFixed: () => void }) {
  const [items, setItems] = useState<PredictedItemDto[]>([]);
  useEffect(() => {
    void api.cell(project.name, run).then(all => {
      const bySha = new Map(all.map(p => [p.item.sha, p]));
      setItems(r.topLosses.map(t => bySha.get(t.sha)).filter((p): p is PredictedItemDto => !!p));
    });
  }, [run, r]);
  return <FixGallery project={project} run={run} items={shown(items)} onFixed={onFixed} id="top-losses" />;
}

function Compare({ c, a, b }: { c: CompareDto; a: string; b: string }) {
  const d = c.data;
  return (
    <div class="compare" id="comparison">
      <p>{c.runs.sameDataset ? "Same data." : "The data changed: " + Object.entries(d.splits).map(([k, v]) => `${k} +${v.added} −${v.removed}`).join(", ")}
        {d.classesAdded.length > 0 && ` · classes added: ${d.classesAdded.map(display).join(", ")}`}{d.classesRemoved.length > 0 && ` · removed: ${d.classesRemoved.map(display).join(", ")}`}</p>
      {d.fixes.length > 0 && <p>Fixes between them: {d.fixes.map(f => `${f.action}${f.label ? ` → ${display(f.label)}` : ""} (${f.changes.length})`).join(", ")}</p>}
      <p id="accuracy-delta">Test accuracy {a} → {b}: {c.runs.accuracyDelta === null ? "–" : `${c.runs.accuracyDelta >= 0 ? "+" : ""}${(c.runs.accuracyDelta * 100).toFixed(1)} points`}
        {c.runs.intervalsOverlap === true && " (the intervals overlap: within noise)"}</p>
      {c.runs.options.length > 0 && <p>Options: {c.runs.options.map(o => `${o.key}: ${o.a ?? "–"} → ${o.b ?? "–"}`).join("; ")}</p>}
      <table class="per-class"><thead><tr><th>class</th><th>F1 {a}</th><th>F1 {b}</th><th>change</th></tr></thead>
        <tbody>{c.runs.perClass.map(p => <tr><td>{display(p.label)}</td><td>{p.f1A?.toFixed(3) ?? "–"}</td><td>{p.f1B?.toFixed(3) ?? "–"}</td><td>{p.delta === null ? "–" : (p.delta >= 0 ? "+" : "") + p.delta.toFixed(3)}</td></tr>)}</tbody>
      </table>
    </div>
  );
}
