import { useEffect, useState } from "preact/hooks";
import { api, type DetectRunDto, type GalleryPictureDto, type ProjectDto, type RunRowDto, type ServingDto } from "./api";
import { Curves } from "./Curves";

const map = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(3));
const link = (project: string, run: string) => `#/p/${encodeURIComponent(project)}/results/${encodeURIComponent(run)}`;

/** The Results tab of a detection project: its detector runs, and for the chosen one mAP per class, PR curves, loss curves and the mistake galleries. */
export function DetectResults({ project, run, onChanged }: { project: ProjectDto; run?: string; onChanged: () => void }) {
  const [runs, setRuns] = useState<RunRowDto[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => { void api.runs(project.name).then(r => setRuns(r.filter(x => x.task === "detect"))).catch(x => setError((x as Error).message)); }, [project.name, run]);
  const chosen = run ?? runs?.find(r => r.hasModel)?.id;
  return (
    <section class="results">
      <h2>Results</h2>
      {error && <p class="error">{error}</p>}
      <table class="runs" id="runs">
        <thead><tr><th>run</th><th>created</th><th>test mAP@0.5</th><th>mAP@0.5:0.95</th><th>state</th><th>serves</th><th></th></tr></thead>
        <tbody>
          {runs?.map(r => (
            <tr class={r.id === chosen ? "active" : ""} data-run={r.id}>
              <td><a href={link(project.name, r.id)}>{r.id}</a></td><td>{new Date(r.created).toLocaleString()}</td>
              <td>{map(r.testMap50)}</td><td>{map(r.testMap50To95)}</td><td>{r.state}</td><td>{r.serves.join(", ")}</td>
              <td>{r.hasModel && <a class="try-link" href={`#/p/${encodeURIComponent(project.name)}/try/${encodeURIComponent(r.id)}`}>try it</a>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {runs?.length === 0 && <p class="muted">No detector runs yet: train one on the Train tab.</p>}
      {chosen && <DetectRunView project={project} run={chosen} onChanged={onChanged} />}
    </section>
  );
}

function DetectRunView({ project, run, onChanged }: { project: ProjectDto; run: string; onChanged: () => void }) {
  const [r, setR] = useState<DetectRunDto | null>(null);
  const [serving, setServing] = useState<ServingDto | null>(null);
  const [name, setName] = useState(project.name);
  const [status, setStatus] = useState("");
  useEffect(() => {
    setR(null); setStatus("");
    void api.detectRun(project.name, run).then(setR).catch(x => setStatus((x as Error).message));
    void api.serving(project.name).then(setServing).catch(() => setServing(null));
  }, [project.name, run]);
  const promote = async () => {
    try {
      const s = await api.promote(project.name, run, name);
      setStatus(`${s.run} now answers /v1/detect?model=${s.name}`);
      setServing(await api.serving(project.name));
      onChanged();
    } catch (x) { setStatus((x as Error).message); }
  };
  if (!r) return <p class="muted">{status || "Loading…"}</p>;
  const t = r.test;
  const current = serving?.current.find(c => c.name === name);
  return (
    <div class="run" id="run-view">
      <h3>Run {r.run}</h3>
      {t ? (
        <>
          <p class="headline" id="run-map">Test mAP@0.5 <strong>{map(t.map50)}</strong>, mAP@0.5:0.95 <strong>{map(t.map50To95)}</strong> on {t.images} pictures
            {t.baselineMap50 !== null && <span class="muted"> (untrained head: {map(t.baselineMap50)} / {map(t.baselineMap50To95)})</span>}</p>
          <table class="per-class" id="map-table">
            <thead><tr><th>class</th><th>test boxes</th><th>AP@0.5</th><th>AP@0.75</th><th>AP@0.5:0.95</th><th></th></tr></thead>
            <tbody>{t.classes.map(c => (
              <tr data-class={c.label}><td>{c.label}</td><td>{c.boxes}</td><td>{map(c.ap50)}</td><td>{map(c.ap75)}</td><td>{map(c.ap50To95)}</td>
                <td>{c.fewBoxes && <span class="warn">too few boxes: the AP swings by several points per box</span>}</td></tr>
            ))}</tbody>
          </table>
        </>
      ) : <p class="muted">Not evaluated: the run has no test pictures (or has not finished).</p>}
      <div class="pair">
        {r.hasPrCurves && <figure><img id="pr-curves" src={api.runPicture(project.name, r.run, "pr.png")} alt="precision-recall curves per class" /><figcaption>Precision–recall at IoU 0.5, per class</figcaption></figure>}
        <Curves points={r.epochs} />
      </div>
      <Gallery project={project} run={r.run} kind="false-positives" title="False positives: boxes the detector drew on nothing" list={r.falsePositives} />
      <Gallery project={project} run={r.run} kind="misses" title="Misses: boxes the detector did not find" list={r.misses} />
      {r.hasModel && (
        <div class="panel serve">
          <label>Serve this run as <input id="serve-name" value={name} onInput={e => setName((e.target as HTMLInputElement).value)} /></label>{" "}
          <button id="promote" onClick={() => void promote()}>Serve this run</button>
          {current && <span class="muted" id="serving-now"> now serving: {current.run}</span>}
          <p class="muted">Answers <code>POST /v1/detect?model={name}</code> and the DeepStack route <code>/v1/vision/custom/{name}</code>.</p>
        </div>
      )}
      {status && <p class="status" id="run-status">{status}</p>}
    </div>
  );
}

/** A gallery the pipeline drew; each picture opens in the box editor, where its boxes can be fixed before the next training. */
function Gallery({ project, run, kind, title, list }: { project: ProjectDto; run: string; kind: string; title: string; list: GalleryPictureDto[] }) {
  if (list.length === 0) return <p class="muted">{title}: none.</p>;
  return (
    <div class="gallery" id={`gallery-${kind}`}>
      <h4>{title} ({list.length})</h4>
      <div class="grid">
        {list.map(g => {
          const img = <img src={api.runPicture(project.name, run, `gallery/${kind}/${g.file}`)} alt={g.name ?? g.file} loading="lazy" />;
          return g.item !== null
            ? <a class="tile" href={`#/p/${encodeURIComponent(project.name)}/boxes/${g.item}`} title="fix its boxes">{img}<span>{g.name} · fix boxes</span></a>
            : <span class="tile">{img}<span>{g.file}</span></span>;
        })}
      </div>
    </div>
  );
}
