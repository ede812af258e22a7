import { useState } from "preact/hooks";
import { api, uploadPath, type ProjectDto, type UploadDto, type UrlResultDto } from "./api";
import { liveCameraAllowed, useCamera } from "./camera";
import { filesFromDrop, filesFromInput, type PickedFile } from "./files";

interface Job { key: number; name: string; progress: number; result?: UploadDto; error?: string }

const CONCURRENCY = 3;
let nextKey = 1;

/** Getting examples in: drag-drop files or folders, pick files, the camera, or a list of URLs, into a class or the inbox. */
export function Collect({ project, onChanged }: { project: ProjectDto; onChanged: () => void }) {
  const [target, setTarget] = useState<string>("");
  const [jobs, setJobs] = useState<Job[]>([]);
  const [over, setOver] = useState(false);
  const label = target === "" ? null : target;

  const run = async (files: PickedFile[]) => {
    const queue = files.map(f => ({ key: nextKey++, file: f }));
    setJobs(j => [...queue.map(q => ({ key: q.key, name: q.file.name, progress: 0 })), ...j].slice(0, 500));
    const update = (key: number, patch: Partial<Job>) => setJobs(js => js.map(j => (j.key === key ? { ...j, ...patch } : j)));
    const worker = async () => {
      for (let q = queue.shift(); q; q = queue.shift()) {
        const { key, file } = q;
        try {
          const result = await api.upload(project.name, uploadPath(label), file.file, file.name, f => update(key, { progress: f }));
          update(key, { progress: 1, result });
        } catch (e) { update(key, { error: (e as Error).message }); }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    onChanged();
  };

  const counts = { added: 0, duplicate: 0, rejected: 0 };
  for (const j of jobs) if (j.result) counts[j.result.status]++;

  return (
    <section class="collect">
      {project.task === "detect" ? <p class="muted">New pictures wait in the inbox until you draw their boxes on the Boxes tab.</p> : <div class="target">
        <label>Put new examples in{" "}
          <select id="target" value={target} onChange={e => setTarget((e.target as HTMLSelectElement).value)}>
            <option value="">the inbox (label later)</option>
            {project.classes.map(c => <option value={c.name}>{c.name}</option>)}
          </select>
        </label>
      </div>}
      <div class={`dropzone${over ? " over" : ""}`} id="dropzone"
        onDragOver={e => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)}
        onDrop={async e => { e.preventDefault(); setOver(false); if (e.dataTransfer) void run(await filesFromDrop(e.dataTransfer)); }}>
        <p><strong>Drop photos, videos or whole folders here</strong></p>
        <p class="muted">{project.task === "detect"
          ? "A video becomes one picture per second (repeats dropped) to box; frames of one video always stay in the same split."
          : <>Videos become frames exactly as <code>lookout data scan</code> makes them.</>} The same file twice is recognised.</p>
        <div class="row">
          <label class="button">Choose files<input id="files" type="file" multiple accept="image/*,video/*" hidden onChange={e => void run(filesFromInput((e.target as HTMLInputElement).files))} /></label>
          <label class="button">Choose a folder<input id="folder" type="file" multiple hidden {...{ webkitdirectory: true }} onChange={e => void run(filesFromInput((e.target as HTMLInputElement).files))} /></label>
        </div>
      </div>
      {jobs.length > 0 && (
        <div class="jobs">
          <h3>Uploads <span class="muted" id="upload-summary">{counts.added} added · {counts.duplicate} duplicates · {counts.rejected} refused</span></h3>
          <ul>
            {jobs.map(j => (
              <li key={j.key} class={j.result?.status ?? (j.error ? "rejected" : "")}>
                <span class="name">{j.name}</span>
                <progress max={1} value={j.progress} />
                <span class="status">{j.error ?? (j.result ? statusText(j.result) : j.progress >= 1 ? "processing…" : `${Math.round(j.progress * 100)}%`)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <Camera project={project} label={label} onUploaded={onChanged} />
      <UrlImport project={project} label={label} onDone={onChanged} />
    </section>
  );
}

function statusText(r: UploadDto): string {
  if (r.status === "added") return r.video ? `added: ${r.ids.length} frame${r.ids.length === 1 ? "" : "s"}` : "added";
  if (r.status === "duplicate") return `duplicate${r.label ? ` (already in ${r.label})` : ""}`;
  return `refused: ${r.reason}`;
}

/** The browser camera: single shots, bursts, or a short clip (MediaRecorder) straight into the chosen class. */
function Camera({ project, label, onUploaded }: { project: ProjectDto; label: string | null; onUploaded: () => void }) {
  const [recorder, setRecorder] = useState<MediaRecorder | null>(null);
  const [note, setNote] = useState("");
  const [shots, setShots] = useState(0);
  const live = liveCameraAllowed();
  const { video, stream, start, stop, grab } = useCamera(setNote);

  const send = async (blob: Blob, name: string) => {
    const r = await api.upload(project.name, uploadPath(label), blob, name, () => {});
    setNote(r.status === "added" ? `${name}: added to ${r.label ?? "the inbox"}${r.video ? ` (${r.ids.length} frame${r.ids.length === 1 ? "" : "s"})` : ""}` : `${name}: ${r.status}${r.reason ? ` – ${r.reason}` : ""}`);
    onUploaded();
    return r;
  };
  const shoot = async (count: number) => {
    for (let i = 0; i < count; i++) {
      if (i > 0) await new Promise(r => setTimeout(r, 250));
      await send(await grab(), `camera-${Date.now()}.jpg`);
      setShots(n => n + 1);
    }
  };
  const record = () => {
    if (!stream) return;
    if (recorder) { recorder.stop(); return; }
    const chunks: Blob[] = [];
    const mime = MediaRecorder.isTypeSupported("video/webm;codecs=vp8") ? "video/webm;codecs=vp8" : "";
    const r = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
    r.ondataavailable = e => { if (e.data.size > 0) chunks.push(e.data); };
    r.onstop = async () => { setRecorder(null); await send(new Blob(chunks, { type: r.mimeType }), `clip-${Date.now()}.webm`); };
    r.start(250);
    setRecorder(r);
  };

  return (
    <div class="camera panel">
      <h3>Camera</h3>
      {live ? (
        <>
          <video ref={video} id="camera" class={stream ? "" : "hidden"} muted playsInline />
          <div class="row">
            {!stream && <button id="camera-start" onClick={start}>Start camera</button>}
            {stream && <>
              <button id="camera-shot" onClick={() => void shoot(1)}>Take photo</button>
              <button id="camera-burst" onClick={() => void shoot(5)}>Burst ×5</button>
              <button id="camera-record" class={recorder ? "recording" : ""} onClick={record}>{recorder ? "Stop clip" : "Record clip"}</button>
              <button onClick={stop}>Close</button>
            </>}
          </div>
          <p class="muted"><span id="camera-count">{shots > 0 ? `${shots} photo${shots === 1 ? "" : "s"} taken` : `Into ${label ?? "the inbox"}.`}</span>{note && <> · <span id="camera-note">{note}</span></>}</p>
        </>
      ) : (
        <label class="button">Take a photo or video
          <input type="file" accept="image/*,video/*" capture="environment" hidden
            onChange={async e => { for (const f of filesFromInput((e.target as HTMLInputElement).files)) await send(f.file, f.name); }} />
        </label>
      )}
      {!live && <p class="muted">Live camera needs https or localhost; the phone's camera app is used instead.</p>}
    </div>
  );
}

/** A pasted list (or a text file) of image URLs, fetched by the server with every address checked. */
function UrlImport({ project, label, onDone }: { project: ProjectDto; label: string | null; onDone: () => void }) {
  const [text, setText] = useState("");
  const [results, setResults] = useState<UrlResultDto[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const go = async () => {
    const urls = text.split(/\s+/).map(s => s.trim()).filter(s => s.length > 0 && !s.startsWith("#"));
    if (urls.length === 0) return;
    setBusy(true); setError("");
    try { setResults(await api.importUrls(project.name, urls, label)); onDone(); }
    catch (e) { setError((e as Error).message); }
    finally { setBusy(false); }
  };
  return (
    <div class="urls panel">
      <h3>Import image URLs</h3>
      <textarea id="url-list" rows={4} placeholder="One URL per line (http or https)" value={text} onInput={e => setText((e.target as HTMLTextAreaElement).value)} />
      <div class="row">
        <label class="button">Load a .txt<input type="file" accept=".txt,text/plain" hidden onChange={async e => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) setText(await f.text()); }} /></label>
        <button id="url-import" disabled={busy} onClick={go}>{busy ? "Importing…" : `Import into ${label ?? "the inbox"}`}</button>
      </div>
      {error && <p class="error">{error}</p>}
      {results && (
        <table class="url-results" id="url-results">
          <tbody>{results.map(r => <tr class={r.status}><td class="url">{r.url}</td><td>{r.status}</td><td class="muted">{r.reason ?? ""}</td></tr>)}</tbody>
        </table>
      )}
    </div>
  );
}
