import { useEffect, useRef, useState } from "preact/hooks";
import { api, type DetectEstimateDto, type EstimateDto, type JobDto, type JobEventDto, type ProjectDto } from "./api";
import { Curves, type EpochPoint } from "./Curves";

const seconds = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

/** Everything the page knows about the followed job, folded from its events. */
interface Live { job: JobDto; maxEpochs: number | null; phase: string; done: number; total: number; unit: string; eta: number | null; epochs: EpochPoint[]; messages: string[]; warnings: string[] }

export function fold(live: Live, events: JobEventDto[]): Live {
  let next = { ...live, epochs: [...live.epochs], messages: [...live.messages], warnings: [...live.warnings] };
  for (const e of events) {
    const d = e.data as Record<string, never>;
    if (e.kind === "progress") next = { ...next, phase: d["phase"], done: d["done"], total: d["total"], unit: d["unit"], eta: d["etaSeconds"] ?? null };
    else if (e.kind === "epoch") {
      // A fine-tuning run restarts epochs at 1 after its probe: the curve shows the phase that is running now.
      if (next.epochs.length > 0 && (d["epoch"] as number) <= next.epochs[next.epochs.length - 1]!.epoch) next.epochs = [];
      next.epochs.push(d as unknown as EpochPoint);
      next.maxEpochs = d["maxEpochs"] ?? null;
    }
    else if (e.kind === "message") next.messages = [...next.messages.slice(-5), String(d["text"])];
    else if (e.kind === "warning") next.warnings = [...next.warnings.slice(-5), String(d["text"])];
    else if (e.kind === "state" && d["text"]) next.messages = [...next.messages.slice(-5), `${d["state"]}: ${d["text"]}`];
  }
  return next;
}

/** The Train tab: choose quick or better (each with its time estimate), start, follow the job live, cancel. */
export function Train({ project, onDone }: { project: ProjectDto; onDone: () => void }) {
  const detect = project.task === "detect";
  const [estimate, setEstimate] = useState<EstimateDto | DetectEstimateDto | null>(null);
  const [epochs, setEpochs] = useState(""); // detection only: blank = the mode's epochs
  const [mode, setMode] = useState<"quick" | "better">("quick");
  const [jobs, setJobs] = useState<JobDto[]>([]);
  const [live, setLive] = useState<Live | null>(null);
  const [error, setError] = useState("");
  const followed = useRef<number | null>(null);

  const refresh = async () => {
    const [e, j] = await Promise.all([detect ? api.detectEstimate(project.name) : api.estimate(project.name), api.jobs(project.name)]);
    setEstimate(e);
    setJobs(j);
    const active = j.find(x => x.state === "running" || x.state === "queued");
    if (active && followed.current !== active.id) follow(active);
  };
  useEffect(() => { void refresh().catch(x => setError((x as Error).message)); return () => { followed.current = null; }; }, [project.name]);

  const follow = (job: JobDto) => {
    followed.current = job.id;
    let state: Live = { job, maxEpochs: null, phase: "", done: 0, total: 0, unit: "", eta: null, epochs: [], messages: [], warnings: [] };
    let after = 0;
    setLive(state);
    const tick = async () => {
      if (followed.current !== job.id) return;
      try {
        const r = await api.jobEvents(project.name, job.id, after);
        if (r.events.length > 0) after = r.events[r.events.length - 1]!.seq;
        state = fold({ ...state, job: r.job }, r.events);
        setLive(state);
        if (["done", "failed", "cancelled"].includes(r.job.state) && r.events.length === 0) {
          followed.current = null;
          setJobs(await api.jobs(project.name));
          setEstimate(detect ? await api.detectEstimate(project.name) : await api.estimate(project.name));
          onDone();
          return;
        }
      } catch (x) { setError((x as Error).message); }
      setTimeout(() => void tick(), 400);
    };
    void tick();
  };

  const start = async () => {
    setError("");
    const n = detect && epochs.trim() ? Number(epochs) : undefined;
    try { follow(await api.train(project.name, mode, n)); } catch (x) { setError((x as Error).message); }
  };

  const running = live && (live.job.state === "running" || live.job.state === "queued");
  const pct = live && live.total > 0 ? Math.min(100, (100 * live.done) / live.total) : 0;
  return (
    <section class="train">
      <h2>Train</h2>
      <div class="panel">
        {detect ? <DetectModes estimate={estimate as DetectEstimateDto | null} mode={mode} setMode={setMode} epochs={epochs} setEpochs={setEpochs} /> : <>
        <label class="mode"><input type="radio" name="mode" id="mode-quick" checked={mode === "quick"} onChange={() => setMode("quick")} />
          <strong>Quick</strong> — a new head on the cached features of your pictures {estimate && <span class="muted" id="estimate-quick">(about {seconds(estimate.quickSeconds)})</span>}</label>
        <label class="mode"><input type="radio" name="mode" id="mode-better" checked={mode === "better"} onChange={() => setMode("better")} />
          <strong>Better</strong> — also fine-tunes the last layers of the backbone on the pictures {estimate && <span class="muted" id="estimate-better">(about {seconds(estimate.betterSeconds)})</span>}</label>
        {estimate && <p class="muted">{estimate.images} labelled pictures; estimate: {estimate.basis}.</p>}
        </>}
        <div class="row">
          <button id="train-start" onClick={() => void start()} disabled={!!running}>Train</button>
          {running && <button id="train-cancel" onClick={() => void api.cancelJob(project.name, live!.job.id).catch(x => setError((x as Error).message))}>Cancel</button>}
        </div>
        {error && <p class="error">{error}</p>}
      </div>
      {live && (
        <div class="panel job" id="job">
          <p><strong>Job {live.job.id}</strong> ({live.job.mode}) — <span id="job-state" class={`state ${live.job.state}`}>{live.job.state}</span>
            {live.job.run && <> · run <a id="job-run" href={`#/p/${encodeURIComponent(project.name)}/results/${encodeURIComponent(live.job.run)}`}>{live.job.run}</a></>}
            {live.job.attempts > 1 && <span class="muted"> · resumed after a restart</span>}</p>
          {running && live.epochs.length > 0 && (
            <p class="muted" id="job-epoch">epoch {live.epochs[live.epochs.length - 1]!.epoch}{live.maxEpochs ? ` of at most ${live.maxEpochs}` : ""} ·
              loss {live.epochs[live.epochs.length - 1]!.trainLoss?.toFixed(3) ?? "–"} · {detect
                ? <>validation loss {live.epochs[live.epochs.length - 1]!.valLoss?.toFixed(3) ?? "–"}</>
                : <>validation accuracy {((live.epochs[live.epochs.length - 1]!.valAccuracy ?? NaN) * 100).toFixed(1)}%</>}</p>
          )}
          {/* Kept when the job ends: a quick retrain can finish between two polls, and the user still sees how far it got. */}
          {live.total > 0 && (
            <div class="progress" id="job-progress">
              <div class="bar"><i style={{ width: `${pct}%` }} /></div>
              <span>{live.phase}: {Math.round(live.done)} / {Math.round(live.total)} {live.unit}{running && live.eta !== null && ` · about ${seconds(live.eta)} left`}</span>
            </div>
          )}
          <Curves points={live.epochs} />
          <ul class="log">{live.messages.map(m => <li>{m}</li>)}{live.warnings.map(w => <li class="warn">{w}</li>)}</ul>
          {live.job.error && <p class="error">{live.job.error}</p>}
        </div>
      )}
      <h3>Earlier jobs</h3>
      <ul class="job-list" id="jobs">
        {jobs.map(j => <li>#{j.id} {j.mode} · {j.state}{j.run && <> · <a href={`#/p/${encodeURIComponent(project.name)}/results/${encodeURIComponent(j.run)}`}>{j.run}</a></>}{j.error && <span class="error"> {j.error}</span>}</li>)}
      </ul>
    </section>
  );
}

/** A detection project's choices: quick or better differ in epochs (or the user's own count), each with its time estimate and the box counts it rests on. */
function DetectModes({ estimate, mode, setMode, epochs, setEpochs }: {
  estimate: DetectEstimateDto | null; mode: "quick" | "better"; setMode: (m: "quick" | "better") => void; epochs: string; setEpochs: (e: string) => void;
}) {
  return (
    <>
      <label class="mode"><input type="radio" name="mode" id="mode-quick" checked={mode === "quick"} onChange={() => setMode("quick")} />
        <strong>Quick</strong> — fine-tune the detector's head on your boxes for {estimate?.quickEpochs ?? 10} epochs {estimate && <span class="muted" id="estimate-quick">(about {seconds(estimate.quickSeconds)})</span>}</label>
      <label class="mode"><input type="radio" name="mode" id="mode-better" checked={mode === "better"} onChange={() => setMode("better")} />
        <strong>Better</strong> — the same for {estimate?.betterEpochs ?? 30} epochs {estimate && <span class="muted" id="estimate-better">(about {seconds(estimate.betterSeconds)})</span>}</label>
      <label class="mode">Epochs (blank: the mode's) <input id="train-epochs" type="number" min={1} max={1000} value={epochs} onInput={e => setEpochs((e.target as HTMLInputElement).value)} style={{ width: "5em" }} /></label>
      {estimate && <p class="muted" id="detect-counts">{estimate.images} reviewed pictures, {estimate.boxes} boxes ({estimate.classes.map(c => `${c.label} ${c.boxes}`).join(", ")}); estimate: {estimate.basis}.</p>}
      {estimate && estimate.warnings.length > 0 && <ul class="log" id="detect-warnings">{estimate.warnings.map(w => <li class="warn">{w}</li>)}</ul>}
    </>
  );
}
