import { useEffect, useRef, useState } from "preact/hooks";
import { api, type DetectTryDto, type ProjectDto, type RunRowDto } from "./api";
import { PictureInput, RunPicker } from "./Try";

const COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d", "#4f46e5", "#ea580c"];

/** "Try it" for a detection project: a picture (a file or a camera frame) → the run's boxes, each with its class and score. */
export function DetectTry({ project, run }: { project: ProjectDto; run?: string }) {
  const [runs, setRuns] = useState<RunRowDto[] | null>(null);
  const [chosen, setChosen] = useState(run ?? "latest");
  const [picture, setPicture] = useState<{ blob: Blob; name: string; url: string } | null>(null);
  const [answer, setAnswer] = useState<DetectTryDto | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [minScore, setMinScore] = useState(40); // percent: the server's default threshold

  useEffect(() => { void api.runs(project.name).then(r => setRuns(r.filter(x => x.task === "detect"))).catch(x => setError((x as Error).message)); }, [project.name]);
  useEffect(() => () => { if (picture) URL.revokeObjectURL(picture.url); }, [picture]);

  const latest = useRef<Blob | null>(null); // an answer for an older picture that arrives late is dropped
  const go = async (blob: Blob, name: string, runId = chosen, min = minScore) => {
    latest.current = blob;
    setPicture({ blob, name, url: URL.createObjectURL(blob) });
    setAnswer(null); setError(""); setBusy(true);
    try {
      const a = await api.tryDetect(project.name, runId, blob, min / 100);
      if (latest.current === blob) setAnswer(a);
    } catch (x) { if (latest.current === blob) setError((x as Error).message); }
    finally { if (latest.current === blob) setBusy(false); }
  };
  const withModel = runs?.filter(r => r.hasModel) ?? [];
  const classes = Array.from(new Set(answer?.boxes.map(b => b.label) ?? [])).sort();
  const colour = (label: string) => COLOURS[Math.max(0, classes.indexOf(label)) % COLOURS.length]!;

  return (
    <section class="try">
      <h2>Try it</h2>
      <div class="row">
        <RunPicker label="Detector" runs={withModel} chosen={chosen} onChange={v => { setChosen(v); if (picture) void go(picture.blob, picture.name, v); }} />{" "}
        <label>Show boxes scored at least{" "}
          <input id="try-min" type="number" min={1} max={100} value={minScore} style={{ width: "4em" }}
            onChange={e => { const v = Math.min(100, Math.max(1, Number((e.target as HTMLInputElement).value) || 40)); setMinScore(v); if (picture) void go(picture.blob, picture.name, chosen, v); }} />%
        </label>
      </div>
      {runs && withModel.length === 0 && <p class="muted">No detector run has a model yet: train one on the Train tab first.</p>}
      <PictureInput onPicture={(b, name) => void go(b, name)} />
      {error && <p class="error" id="try-error">{error}</p>}
      {picture && (
        <div class="try-result">
          {busy && <p class="muted">Looking for your classes…</p>}
          {answer && <p id="try-answer">{answer.boxes.length === 0 ? "Nothing found" : `${answer.boxes.length} found`} <span class="muted">(run {answer.run})</span></p>}
          <figure class="detect-view">
            {answer ? (
              <svg id="try-boxes" viewBox={`0 0 ${answer.width} ${answer.height}`} style={{ maxWidth: "100%", maxHeight: "70vh" }} role="img" aria-label="the picture with the detector's boxes">
                <image href={picture.url} x={0} y={0} width={answer.width} height={answer.height} />
                {answer.boxes.map(b => {
                  const stroke = Math.max(2, answer.width / 250), font = Math.max(12, answer.width / 40);
                  return (
                    <g class="det" data-label={b.label}>
                      <rect x={b.x1} y={b.y1} width={b.x2 - b.x1} height={b.y2 - b.y1} fill="none" stroke={colour(b.label)} stroke-width={stroke} />
                      <text x={b.x1 + stroke} y={Math.max(font, b.y1 - stroke)} fill={colour(b.label)} font-size={font} font-weight="bold" paint-order="stroke" stroke="#fff" stroke-width={font / 6}>
                        {b.label} {((b.score ?? 0) * 100).toFixed(0)}%
                      </text>
                    </g>
                  );
                })}
              </svg>
            ) : <img id="try-picture" src={picture.url} alt="your picture" style={{ maxWidth: "100%" }} />}
          </figure>
          {answer && answer.boxes.length > 0 && (
            <ol class="scores" id="try-scores">
              {answer.boxes.map(b => <li data-label={b.label}><span class="name">{b.label}</span><span class="score">{((b.score ?? 0) * 100).toFixed(1)}%</span></li>)}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
