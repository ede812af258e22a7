import { useEffect, useRef, useState } from "preact/hooks";
import { api, type BoxDto, type DetectTryDto, type DetectVideoTryDto, type ProjectDto, type RunRowDto } from "./api";
import { PictureInput, RunPicker } from "./Try";

const COLOURS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d", "#4f46e5", "#ea580c"];

type Tried = { kind: "picture" | "video"; blob: Blob; name: string; url: string };

/**
 * "Try it" for a detection project: a picture (a file or a camera frame) → the run's boxes, each with its class and
 * score; or a video (a clip from the phone, a camera recording) → frames sampled over it, each with its boxes.
 */
export function DetectTry({ project, run }: { project: ProjectDto; run?: string }) {
  const [runs, setRuns] = useState<RunRowDto[] | null>(null);
  const [chosen, setChosen] = useState(run ?? "latest");
  const [tried, setTried] = useState<Tried | null>(null);
  const [answer, setAnswer] = useState<DetectTryDto | null>(null);
  const [frames, setFrames] = useState<DetectVideoTryDto | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [minScore, setMinScore] = useState(40); // percent: the server's default threshold
  // What is typed lives in state too: a re-render while typing (the run list arriving) must not put the old value back.
  const [minText, setMinText] = useState("40");

  useEffect(() => { void api.runs(project.name).then(r => setRuns(r.filter(x => x.task === "detect"))).catch(x => setError((x as Error).message)); }, [project.name]);
  useEffect(() => () => { if (tried) URL.revokeObjectURL(tried.url); }, [tried]);

  const latest = useRef<Blob | null>(null); // an answer for an older picture or video that arrives late is dropped
  const go = async (kind: Tried["kind"], blob: Blob, name: string, runId = chosen, min = minScore) => {
    latest.current = blob;
    setTried({ kind, blob, name, url: URL.createObjectURL(blob) });
    setAnswer(null); setFrames(null); setError(""); setBusy(true);
    try {
      if (kind === "video") {
        const v = await api.tryDetectVideo(project.name, runId, blob, min / 100);
        if (latest.current === blob) setFrames(v);
      } else {
        const a = await api.tryDetect(project.name, runId, blob, min / 100);
        if (latest.current === blob) setAnswer(a);
      }
    } catch (x) { if (latest.current === blob) setError((x as Error).message); }
    finally { if (latest.current === blob) setBusy(false); }
  };
  const again = (runId = chosen, min = minScore) => { if (tried) void go(tried.kind, tried.blob, tried.name, runId, min); };
  const withModel = runs?.filter(r => r.hasModel) ?? [];
  const found = answer?.boxes ?? frames?.frames.flatMap(f => f.boxes) ?? [];
  const classes = Array.from(new Set(found.map(b => b.label))).sort();
  const colour = (label: string) => COLOURS[Math.max(0, classes.indexOf(label)) % COLOURS.length]!;

  return (
    <section class="try">
      <h2>Try it</h2>
      <div class="row">
        <RunPicker label="Detector" runs={withModel} chosen={chosen} onChange={v => { setChosen(v); again(v); }} />{" "}
        <label>Show boxes scored at least{" "}
          <input id="try-min" type="number" min={1} max={100} value={minText} style={{ width: "4em" }}
            onInput={e => setMinText((e.target as HTMLInputElement).value)}
            onChange={e => { const v = Math.min(100, Math.max(1, Number((e.target as HTMLInputElement).value) || 40)); setMinText(String(v)); setMinScore(v); again(chosen, v); }} />%
        </label>
      </div>
      {runs && withModel.length === 0 && <p class="muted">No detector run has a model yet: train one on the Train tab first.</p>}
      <div class="row">
        <PictureInput onPicture={(b, name) => void go("picture", b, name)} />
        <label class="button">Choose a video
          <input id="try-video" type="file" accept="video/*" hidden onChange={e => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void go("video", f, f.name); }} />
        </label>
      </div>
      {error && <p class="error" id="try-error">{error}</p>}
      {tried?.kind === "picture" && (
        <div class="try-result">
          {busy && <p class="muted">Looking for your classes…</p>}
          {answer && <p id="try-answer">{answer.boxes.length === 0 ? "Nothing found" : `${answer.boxes.length} found`} <span class="muted">(run {answer.run})</span></p>}
          <figure class="detect-view">
            {answer
              ? <BoxedPicture id="try-boxes" src={tried.url} width={answer.width} height={answer.height} boxes={answer.boxes} colour={colour} />
              : <img id="try-picture" src={tried.url} alt="your picture" style={{ maxWidth: "100%" }} />}
          </figure>
          {answer && answer.boxes.length > 0 && (
            <ol class="scores" id="try-scores">
              {answer.boxes.map(b => <li data-label={b.label}><span class="name">{b.label}</span><span class="score">{((b.score ?? 0) * 100).toFixed(1)}%</span></li>)}
            </ol>
          )}
        </div>
      )}
      {tried?.kind === "video" && (
        <div class="try-video">
          {busy && <p class="muted">Sampling frames of {tried.name} and looking for your classes…</p>}
          {frames && (
            <p id="try-video-answer">
              {`${frames.frames.length} frames of ${tried.name}: ${frames.frames.filter(f => f.boxes.length > 0).length} with something found`}{" "}
              <span class="muted">(run {frames.run})</span>
            </p>
          )}
          {frames && (
            <div class="frames" id="try-frames">
              {frames.frames.map(f => (
                <figure class="detect-view frame" data-time={f.timeMs} data-boxes={f.boxes.length}>
                  <BoxedPicture src={`data:image/jpeg;base64,${f.image}`} width={f.width} height={f.height} boxes={f.boxes} colour={colour} />
                  <figcaption>{clock(f.timeMs)} · {summary(f.boxes)}</figcaption>
                </figure>
              ))}
            </div>
          )}
        </div>
      )}
    </section>
  );
}

/** A picture with a detector's boxes drawn in its own pixels (the SVG scales both together). */
function BoxedPicture({ id, src, width, height, boxes, colour }: { id?: string; src: string; width: number; height: number; boxes: BoxDto[]; colour: (label: string) => string }) {
  const stroke = Math.max(2, width / 250), font = Math.max(12, width / 40);
  return (
    <svg id={id} class="boxes" viewBox={`0 0 ${width} ${height}`} style={{ maxWidth: "100%", maxHeight: "70vh" }} role="img" aria-label="the picture with the detector's boxes">
      <image href={src} x={0} y={0} width={width} height={height} />
      {boxes.map(b => (
        <g class="det" data-label={b.label}>
          <rect x={b.x1} y={b.y1} width={b.x2 - b.x1} height={b.y2 - b.y1} fill="none" stroke={colour(b.label)} stroke-width={stroke} />
          <text x={b.x1 + stroke} y={Math.max(font, b.y1 - stroke)} fill={colour(b.label)} font-size={font} font-weight="bold" paint-order="stroke" stroke="#fff" stroke-width={font / 6}>
            {b.label} {((b.score ?? 0) * 100).toFixed(0)}%
          </text>
        </g>
      ))}
    </svg>
  );
}

/** m:ss of a frame's time. */
function clock(ms: number) {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** A frame's boxes as one line per class, best first ("square ×3 (best 88%)"): a low threshold can find hundreds. */
function summary(boxes: readonly { label: string; score?: number | null }[]): string {
  if (boxes.length === 0) return "nothing";
  const byClass = new Map<string, { count: number; best: number }>();
  for (const b of boxes) {
    const c = byClass.get(b.label) ?? { count: 0, best: 0 };
    byClass.set(b.label, { count: c.count + 1, best: Math.max(c.best, b.score ?? 0) });
  }
  return [...byClass].sort((a, b) => b[1].best - a[1].best)
    .map(([label, c]) => `${label}${c.count > 1 ? ` ×${c.count} (best ${(c.best * 100).toFixed(0)}%)` : ` ${(c.best * 100).toFixed(0)}%`}`).join(", ");
}
