import { useEffect, useRef, useState } from "preact/hooks";
import { api, uploadPath, type ProjectDto, type RunRowDto, type TryDto } from "./api";
import { display } from "./Fixes";
import { liveCameraAllowed, useCamera } from "./camera";
import { DetectTry } from "./DetectTry";

/**
 * "Try it": a picture (a file, or a frame of the live camera) → the run's top classes, its verdict ("unknown" when it
 * refuses the picture) and the Grad-CAM of its answer; then "add this picture to class X", the loop that improves it.
 */
export function Try({ project, run, onChanged }: { project: ProjectDto; run?: string; onChanged: () => void }) {
  return project.task === "detect" ? <DetectTry project={project} run={run} /> : <ClassifyTry project={project} run={run} onChanged={onChanged} />;
}

function ClassifyTry({ project, run, onChanged }: { project: ProjectDto; run?: string; onChanged: () => void }) {
  const [runs, setRuns] = useState<RunRowDto[] | null>(null);
  const [chosen, setChosen] = useState(run ?? "latest");
  const [picture, setPicture] = useState<{ blob: Blob; name: string; url: string } | null>(null);
  const [answer, setAnswer] = useState<TryDto | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [target, setTarget] = useState("");
  const [added, setAdded] = useState("");

  useEffect(() => { void api.runs(project.name).then(setRuns).catch(x => setError((x as Error).message)); }, [project.name]);
  useEffect(() => () => { if (picture) URL.revokeObjectURL(picture.url); }, [picture]);

  const latest = useRef<Blob | null>(null); // an answer for an older picture that arrives late is dropped
  const go = async (blob: Blob, name: string, runId = chosen) => {
    latest.current = blob;
    setPicture({ blob, name, url: URL.createObjectURL(blob) });
    setAnswer(null); setError(""); setAdded(""); setBusy(true);
    try {
      const a = await api.tryRun(project.name, runId, blob);
      if (latest.current !== blob) return;
      setAnswer(a);
      setTarget(a.unknown ? "" : a.answer);
    } catch (x) { if (latest.current === blob) setError((x as Error).message); }
    finally { if (latest.current === blob) setBusy(false); }
  };
  const add = async () => {
    if (!picture || !target) return;
    try {
      const r = await api.upload(project.name, uploadPath(target), picture.blob, picture.name, () => {});
      setAdded(r.status === "added" ? `Added to ${display(target)}.` : r.status === "duplicate" ? `Already in the project${r.label ? ` (${display(r.label)})` : ""}.` : `Refused: ${r.reason}`);
      onChanged();
    } catch (x) { setError((x as Error).message); }
  };
  const withModel = runs?.filter(r => r.hasModel) ?? [];

  return (
    <section class="try">
      <h2>Try it</h2>
      <div class="row">
        <RunPicker label="Model" runs={withModel} chosen={chosen} onChange={v => { setChosen(v); if (picture) void go(picture.blob, picture.name, v); }} />
      </div>
      {runs && withModel.length === 0 && <p class="muted">No run has a model yet: train one on the Train tab first.</p>}
      <PictureInput onPicture={(b, name) => void go(b, name)} />
      {error && <p class="error" id="try-error">{error}</p>}
      {picture && (
        <div class="try-result">
          {busy && <p class="muted">Asking the model…</p>}
          {answer && (
            <div class="verdict">
              <p class={`answer${answer.unknown ? " unknown" : ""}`} id="try-answer">{answer.unknown ? "Unknown" : display(answer.answer)}</p>
              <p class="muted" id="try-reason">
                {answer.unknown ? `Not any of the classes${answer.reason ? ` (${answer.reason})` : ""}; the best guess was ${display(answer.explained)}.` : `Run ${answer.run}.`}
              </p>
              <ol class="scores" id="try-scores">
                {answer.predictions.map(p => (
                  <li data-label={p.label}><span class="name">{display(p.label)}</span><span class="bar"><i style={{ width: `${Math.round(p.score * 100)}%` }} /></span><span class="score">{(p.score * 100).toFixed(1)}%</span></li>
                ))}
              </ol>
            </div>
          )}
          <div class="pair">
            <figure><img id="try-picture" src={picture.url} alt="your picture" /><figcaption>Your picture</figcaption></figure>
            {answer && (
              <figure>
                {answer.gradCam
                  ? <img id="try-gradcam" class="gradcam" src={`data:image/png;base64,${answer.gradCam}`} alt={`Grad-CAM of ${answer.explained}`} />
                  : <p class="muted">No Grad-CAM: {answer.gradCamError}</p>}
                <figcaption>Why {display(answer.explained)}: warm areas drove its score</figcaption>
              </figure>
            )}
          </div>
          {answer && (
            <div class="add-to panel">
              <label>Add this picture to{" "}
                <select id="try-class" value={target} onChange={e => setTarget((e.target as HTMLSelectElement).value)}>
                  <option value="">choose a class…</option>
                  {project.classes.map(c => <option value={c.name}>{display(c.name)}</option>)}
                  {!project.classes.some(c => c.name === "_none") && <option value="_none">none of these</option>}
                </select>
              </label>{" "}
              <button id="try-add" disabled={!target} onClick={() => void add()}>Add</button>
              {added && <span class="added" id="try-added">{added}</span>}
            </div>
          )}
        </div>
      )}
    </section>
  );
}

/** Which run answers: "the latest run" or any run that has a model (and what it serves). */
export function RunPicker({ label, runs, chosen, onChange }: { label: string; runs: RunRowDto[]; chosen: string; onChange: (run: string) => void }) {
  return (
    <label>{label}{" "}
      <select id="try-run" value={chosen} onChange={e => onChange((e.target as HTMLSelectElement).value)}>
        <option value="latest">the latest run</option>
        {runs.map(r => <option value={r.id}>{r.id}{r.serves.length ? ` (serves ${r.serves.join(", ")})` : ""}</option>)}
      </select>
    </label>
  );
}

/** A picture to try: a file, or a frame of the live camera. */
export function PictureInput({ onPicture }: { onPicture: (picture: Blob, name: string) => void }) {
  return (
    <div class="row">
      <label class="button">Choose a picture
        <input id="try-file" type="file" accept="image/*" hidden onChange={e => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) onPicture(f, f.name); }} />
      </label>
      <LiveFrame onFrame={b => onPicture(b, `camera-${Date.now()}.jpg`)} />
    </div>
  );
}

/** A live camera (getUserMedia, as the Collect tab uses) with one button that hands over a JPEG frame; the phone's camera app where live video is not allowed. */
function LiveFrame({ onFrame }: { onFrame: (jpeg: Blob) => void }) {
  const [note, setNote] = useState("");
  const { video, stream, start, stop, grab } = useCamera(setNote);
  if (!liveCameraAllowed()) {
    return (
      <label class="button">Take a photo
        <input type="file" accept="image/*" capture="environment" hidden onChange={e => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) onFrame(f); }} />
      </label>
    );
  }
  return (
    <>
      {!stream && <button id="try-camera" onClick={() => void start()}>Use the camera</button>}
      {stream && <>
        <button id="try-shot" onClick={() => void grab().then(onFrame, e => setNote((e as Error).message))}>Try this frame</button>
        <button onClick={stop}>Close camera</button>
      </>}
      <video ref={video} class={`try-camera${stream ? "" : " hidden"}`} muted playsInline />
      {note && <span class="error">{note}</span>}
    </>
  );
}
