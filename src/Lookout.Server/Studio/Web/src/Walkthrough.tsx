import { useEffect, useRef, useState } from "preact/hooks";
import { api, type ProjectDto, type WalkthroughDto, type WalkthroughEvalDto } from "./api";
import { addSegment, formatMs, removeSegment, type Segment } from "./segments";

const NONE = "__none__";

/** A hand-labelled walk-through video: mark time segments with a class or "none of these"; score the current model on it. */
export function Walkthrough({ project }: { project: ProjectDto }) {
  const [list, setList] = useState<WalkthroughDto[]>([]);
  const [current, setCurrent] = useState<WalkthroughDto | null>(null);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [start, setStart] = useState<number | null>(null);
  const [label, setLabel] = useState<string>(project.classes[0]?.name ?? NONE);
  const [status, setStatus] = useState("");
  const [result, setResult] = useState<WalkthroughEvalDto | null>(null);
  const video = useRef<HTMLVideoElement>(null);

  const load = async (select?: number) => {
    const all = await api.walkthroughs(project.name);
    setList(all);
    const pick = all.find(w => w.id === (select ?? current?.id)) ?? all[0] ?? null;
    setCurrent(pick);
    setSegments(pick?.segments ?? []);
  };
  useEffect(() => { void load().catch(e => setStatus((e as Error).message)); }, [project.name]);

  const upload = async (file: File) => {
    setStatus(`Uploading ${file.name}…`);
    try {
      const r = await api.upload(project.name, "walkthroughs", file, file.name, f => setStatus(`Uploading ${file.name}: ${Math.round(f * 100)}%`));
      setStatus(r.status === "rejected" ? `Refused: ${r.reason}` : `${file.name}: ready to mark`);
      await load(r.ids[0]);
    } catch (e) { setStatus((e as Error).message); }
  };
  const now = () => Math.round((video.current?.currentTime ?? 0) * 1000);
  const end = () => {
    if (start === null) { setStatus("Press 'Segment starts here' first."); return; }
    const [a, b] = [Math.min(start, now()), Math.max(start, now())];
    setSegments(s => addSegment(s, { startMs: a, endMs: b, label: label === NONE ? null : label }));
    setStart(null);
  };
  const save = async () => {
    if (!current) return;
    const saved = await api.saveSegments(project.name, current.id, segments);
    setSegments(saved.segments);
    setStatus(`Saved ${saved.segments.length} segments.`);
  };
  const evaluate = async () => {
    if (!current) return;
    await save();
    setStatus("Scoring every frame with the current model…");
    try { setResult(await api.evaluate(project.name, current.id)); setStatus(""); }
    catch (e) { setStatus((e as Error).message); }
  };
  const duration = current?.durationMs || Math.round((video.current?.duration || 0) * 1000) || 1;

  return (
    <section class="walkthrough">
      <h2>Walk-through validation</h2>
      <p class="muted">A video you walk through, labelled by time: a held-out test of the model frame by frame, and with the class required to persist over a few frames.</p>
      <div class="row">
        <label class="button">Upload a walk-through video<input id="walkthrough-file" type="file" accept="video/*" hidden onChange={e => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void upload(f); }} /></label>
        {list.length > 1 && <select value={current?.id} onChange={e => void load(Number((e.target as HTMLSelectElement).value))}>{list.map(w => <option value={w.id}>{w.name}</option>)}</select>}
      </div>
      {current && (
        <>
          <video ref={video} id="walkthrough-video" src={api.walkthroughVideo(project.name, current.id)} controls muted playsInline preload="auto" />
          <div class="timeline" id="timeline" title="Marked segments">
            {segments.map(s => (
              <div class={`seg${s.label ? "" : " none"}`} style={{ left: `${(s.startMs / duration) * 100}%`, width: `${((s.endMs - s.startMs) / duration) * 100}%` }}>{s.label ?? "none"}</div>
            ))}
          </div>
          <div class="row marks">
            <button id="seg-start" onClick={() => setStart(now())}>Segment starts here{start !== null ? ` (${formatMs(start)})` : ""}</button>
            <select id="seg-label" value={label} onChange={e => setLabel((e.target as HTMLSelectElement).value)}>
              {project.classes.map(c => <option value={c.name}>{c.name}</option>)}
              <option value={NONE}>none of these</option>
            </select>
            <button id="seg-end" onClick={end}>…ends here</button>
            <button id="seg-save" onClick={() => void save()}>Save</button>
            <button id="seg-eval" disabled={!project.model} onClick={() => void evaluate()}>Score {project.model?.run ?? "(no model yet)"}</button>
          </div>
          <ol class="segments" id="segments">
            {segments.map((s, i) => (
              <li>{formatMs(s.startMs)}–{formatMs(s.endMs)} <strong>{s.label ?? "none of these"}</strong> <button class="link" onClick={() => setSegments(removeSegment(segments, i))}>remove</button></li>
            ))}
          </ol>
        </>
      )}
      <p class="status" id="walkthrough-status">{status}</p>
      {result && <EvalResult result={result} duration={duration} />}
    </section>
  );
}

function EvalResult({ result, duration }: { result: WalkthroughEvalDto; duration: number }) {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return (
    <div class="eval panel" id="walkthrough-eval">
      <h3>{result.run} on this walk-through</h3>
      <p>Per frame: <strong id="eval-frame">{pct(result.accuracy)}</strong> · smoothed (a class must persist {result.persistFrames} frames): <strong id="eval-smooth">{pct(result.smoothedAccuracy)}</strong> · {result.scored} of {result.frames} frames inside marked segments</p>
      <table class="per-class"><thead><tr><th>segment class</th><th>frames</th><th>per frame</th><th>smoothed</th></tr></thead>
        <tbody>{result.perClass.map(c => <tr><td>{c.label ?? "none of these"}</td><td>{c.frames}</td><td>{pct(c.accuracy)}</td><td>{pct(c.smoothed)}</td></tr>)}</tbody></table>
      {(["truth", "predicted", "smoothed"] as const).map(row => (
        <div class="strip"><span>{row}</span><div>
          {result.timeline.map(f => {
            const v = row === "truth" ? (f.scored ? f.truth ?? "none of these" : null) : f[row];
            const cls = row === "truth" || !f.scored ? (f.scored ? "truth" : "") : v === (f.truth ?? "unknown") ? "ok" : "bad";
            return <i class={cls} style={{ left: `${(f.timeMs / duration) * 100}%` }} title={`${formatMs(f.timeMs)} ${v ?? "—"}`} />;
          })}
        </div></div>
      ))}
    </div>
  );
}
