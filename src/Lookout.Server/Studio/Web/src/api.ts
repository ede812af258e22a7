// The studio's only way to the server: the /v1 JSON API (documented in /openapi.json). Errors keep the envelope.

export interface ClassDto { name: string; items: number }
export interface ModelDto { run: string; labels: string[] }
export interface ProjectDto { name: string; classes: ClassDto[]; inbox: number; excluded: number; total: number; backbone: string; blurThreshold: number; model: ModelDto | null; task: "classify" | "detect"; diskFreeBytes: number | null; diskLow: boolean }
export interface SuggestionDto { label: string; score: number; second: string | null; margin: number; unknown: boolean }
export interface RankDto { position: number; reason: string }
export interface ItemDto {
  id: number; kind: string; sha: string; label: string | null; split: string; name: string; video: string | null; timeMs: number | null;
  width: number; height: number; excluded: boolean; sharpness: number | null; blurry: boolean; empty: boolean;
  suggestion: SuggestionDto | null; rank: RankDto | null;
}
export interface ItemListDto { items: ItemDto[]; order: string; orderReason: string | null; model: ModelDto | null; total: number }
export interface LabelChangeDto { id: number; before: string | null; after: string | null; wasExcluded: boolean }
export interface UploadDto { name: string; status: "added" | "duplicate" | "rejected"; reason: string | null; sha: string | null; video: boolean; ids: number[]; label: string | null }
export interface UrlResultDto { url: string; status: "added" | "duplicate" | "refused" | "failed"; reason: string | null; ids: number[] }
export interface ClusterDto { keep: number; members: number[]; reason: string }
export interface SuggestRunDto { run: string | null; scored: number; reason: string | null }
export interface SegmentDto { startMs: number; endMs: number; label: string | null }
export interface WalkthroughDto { id: number; name: string; durationMs: number; segments: SegmentDto[] }
export interface FrameScoreDto { timeMs: number; truth: string | null; scored: boolean; predicted: string; smoothed: string; score: number }
export interface ClassScoreDto { label: string | null; frames: number; accuracy: number; smoothed: number }
export interface WalkthroughEvalDto { run: string; frames: number; scored: number; accuracy: number; smoothedAccuracy: number; persistFrames: number; perClass: ClassScoreDto[]; timeline: FrameScoreDto[] }
export interface SessionDto { required: boolean; loggedIn: boolean }
export interface DetectEstimateDto { images: number; boxes: number; classes: { label: string; boxes: number }[]; quickEpochs: number; betterEpochs: number; quickSeconds: number; betterSeconds: number; basis: string; warnings: string[] }
export interface ClassMapDto { label: string; boxes: number; detections: number; ap50: number; ap75: number; ap50To95: number; fewBoxes: boolean }
export interface GalleryPictureDto { file: string; item: number | null; name: string | null }
export interface DetectRunDto {
  run: string; classes: string[]; epochs: { epoch: number; trainLoss: number | null; valLoss: number | null; trainAccuracy: number | null; valAccuracy: number | null }[];
  test: { images: number; map50: number; map50To95: number; map75: number; baselineMap50: number | null; baselineMap50To95: number | null; classes: ClassMapDto[] } | null;
  hasPrCurves: boolean; falsePositives: GalleryPictureDto[]; misses: GalleryPictureDto[]; hasModel: boolean;
}
export interface DetectTryDto { run: string; width: number; height: number; boxes: BoxDto[] }
export interface DetectedFrameDto { timeMs: number; width: number; height: number; image: string; boxes: BoxDto[] }
export interface DetectVideoTryDto { run: string; frames: DetectedFrameDto[] }
export interface EstimateDto { images: number; quickSeconds: number; betterSeconds: number; basis: string }
export interface JobDto { id: number; mode: "quick" | "better"; state: "queued" | "running" | "done" | "failed" | "cancelled"; run: string | null; created: string; started: string | null; finished: string | null; error: string | null; attempts: number }
export interface JobEventDto { seq: number; time: string; kind: "message" | "warning" | "progress" | "epoch" | "state"; data: Record<string, unknown> }
export interface JobEventsDto { job: JobDto; events: JobEventDto[] }
export interface RunRowDto { id: string; created: string; backbone: string | null; classes: number; hasModel: boolean; epochs: number; bestValAccuracy: number | null; testAccuracy: number | null; testCount: number | null; state: string; serves: string[]; task: "classify" | "detect"; testMap50: number | null; testMap50To95: number | null }
export interface IntervalDto { low: number; high: number }
export interface ClassMetricsDto { label: string; support: number; predicted: number; truePositives: number; precision: number; precisionCi: IntervalDto; recall: number; recallCi: IntervalDto; f1: number }
export interface EvalViewDto { count: number; correct: number; accuracy: number; accuracyCi: IntervalDto; macroF1: number; logLoss: number | null; labels: string[]; perClass: ClassMetricsDto[]; confusion: number[][]; calledUnknown: number | null }
export interface EpochViewDto { epoch: number; trainLoss: number | null; trainAccuracy: number | null; valLoss: number | null; valAccuracy: number | null; improved: boolean; seconds: number }
export interface ItemPredictionDto { sha: string; truth: string; predicted: string; score: number; trueProbability: number; unknown: boolean }
export interface ManifestViewDto { created: string; backbone: string; seed: number; datasetHash: string; codeVersion: string; labels: string[]; splits: Record<string, number> }
export interface RunResultsDto { id: string; hasModel: boolean; state: string; manifest: ManifestViewDto | null; optionsJson: string | null; epochs: EpochViewDto[]; test: EvalViewDto | null; topLosses: ItemPredictionDto[]; openSetJson: string | null }
export interface PredictedItemDto { item: ItemDto; truth: string; predicted: string; score: number; trueProbability: number; unknown: boolean }
export interface FixChangeDto { id: number; sha: string; before: string | null; wasExcluded: boolean }
export interface FixDto { id: number; time: string; action: "relabel" | "none" | "delete" | "suspect"; label: string | null; changes: FixChangeDto[]; undone: boolean; run: string | null }
export interface ServingRecordDto { id: number; time: string; name: string; run: string }
export interface ServingDto { current: ServingRecordDto[]; history: ServingRecordDto[] }
export interface CompareDto {
  runs: { a: Record<string, unknown>; b: Record<string, unknown>; sameDataset: boolean; sameBackbone: boolean; options: { key: string; a: string | null; b: string | null }[]; accuracyDelta: number | null; intervalsOverlap: boolean | null; perClass: { label: string; f1A: number | null; f1B: number | null; delta: number | null }[] };
  data: { splits: Record<string, { added: number; removed: number }>; classesAdded: string[]; classesRemoved: string[]; fixes: FixDto[] };
}
export interface IssuesDto { suspects: { item: ItemDto; label: string; suggested: string; givenProbability: number }[]; crossSplitDuplicates: { a: ItemDto; b: ItemDto; splitA: string; splitB: string; similarity: number }[]; outliers: { item: ItemDto; label: string; robustZ: number }[] }

export interface ScoreDto { label: string; score: number }
export interface TryDto { run: string; answer: string; unknown: boolean; reason: string | null; predictions: ScoreDto[]; explained: string; gradCam: string | null; gradCamError: string | null }
export interface BoxDto { label: string; x1: number; y1: number; x2: number; y2: number; score?: number | null; detected?: string | null }
export interface BoxesDto { id: number; width: number; height: number; reviewed: boolean; boxes: BoxDto[] }
export interface BoxPictureDto { id: number; name: string; sha: string; reviewed: boolean; boxes: number }
export interface BoxIndexDto { classes: string[]; map: Record<string, string>; pictures: BoxPictureDto[] }
export interface SuggestionsDto { detector: string; run: string | null; trained: boolean; boxes: BoxDto[]; unmapped: { label: string; boxes: number }[] }

export class ApiError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, "Content-Type": "application/json" };
  }
  const res = await fetch(path, init);
  return unwrap<T>(res.status, await res.text());
}

function unwrap<T>(status: number, text: string): T {
  let json: { meta?: { type: string; message?: string }; data?: T } | null = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  if (status >= 400 || json?.meta?.type === "error") throw new ApiError(status, json?.meta?.message ?? `HTTP ${status}`);
  return json?.data as T;
}

/**
 * Requests started when the page loads, before the components that use them exist (the first screen then needs one
 * round trip, not three in a row). Each is handed out once; later calls go to the server again.
 */
const early = new Map<string, Promise<unknown>>();
export function prefetch(path: string): void {
  if (!early.has(path)) early.set(path, call("GET", path).catch(() => undefined));
}
function get<T>(path: string): Promise<T> {
  const pending = early.get(path) as Promise<T | undefined> | undefined;
  early.delete(path);
  return pending ? pending.then(v => (v === undefined ? call<T>("GET", path) : v)) : call<T>("GET", path);
}

const p = (project: string) => `/v1/projects/${encodeURIComponent(project)}`;

export const api = {
  session: () => get<SessionDto>("/v1/session"),
  login: (key: string) => call<SessionDto>("POST", "/v1/session", { key }),
  projects: () => call<ProjectDto[]>("GET", "/v1/projects"),
  createProject: (name: string, task?: string) => call<ProjectDto>("POST", "/v1/projects", { name, task }),
  project: (name: string) => get<ProjectDto>(p(name)),
  settings: (name: string, blurThreshold: number) => call<ProjectDto>("POST", `${p(name)}/settings`, { blurThreshold }),
  addClass: (project: string, name: string) => call<ClassDto>("POST", `${p(project)}/classes`, { name }),
  renameClass: (project: string, name: string, to: string) => call<ClassDto>("POST", `${p(project)}/classes/${encodeURIComponent(name)}/rename`, { to }),
  items: (project: string, view: string, label?: string, order?: string, limit?: number) => {
    if (view === "inbox" && order === "useful") return call<ItemListDto>("GET", `${p(project)}/ordered`);
    return get<ItemListDto>(itemsPath(project, view, label, limit));
  },
  thumb: (project: string, sha: string) => `${p(project)}/thumbs/${sha}`,
  labels: (project: string, ids: number[], label: string | null) => call<LabelChangeDto[]>("POST", `${p(project)}/labels`, { ids, label }),
  exclude: (project: string, ids: number[], excluded: boolean, reason?: string) => call<LabelChangeDto[]>("POST", `${p(project)}/exclude`, { ids, excluded, reason }),
  importUrls: (project: string, urls: string[], label: string | null) => call<UrlResultDto[]>("POST", `${p(project)}/imports/urls`, { urls, label }),
  suggest: (project: string) => call<SuggestRunDto>("POST", `${p(project)}/suggestions`),
  duplicates: (project: string) => call<ClusterDto[]>("GET", `${p(project)}/duplicates`),
  walkthroughs: (project: string) => call<WalkthroughDto[]>("GET", `${p(project)}/walkthroughs`),
  walkthroughVideo: (project: string, id: number) => `${p(project)}/walkthroughs/${id}/video`,
  saveSegments: (project: string, id: number, segments: SegmentDto[]) => call<WalkthroughDto>("POST", `${p(project)}/walkthroughs/${id}/segments`, { segments }),
  evaluate: (project: string, id: number) => call<WalkthroughEvalDto>("POST", `${p(project)}/walkthroughs/${id}/evaluate`),
  estimate: (project: string) => call<EstimateDto>("GET", `${p(project)}/estimate`),
  train: (project: string, mode: string, epochs?: number) => call<JobDto>("POST", `${p(project)}/jobs`, { mode, epochs }),
  jobs: (project: string) => call<JobDto[]>("GET", `${p(project)}/jobs`),
  jobEvents: (project: string, id: number, after: number) => call<JobEventsDto>("GET", `${p(project)}/jobs/${id}/events?after=${after}`),
  cancelJob: (project: string, id: number) => call<JobDto>("POST", `${p(project)}/jobs/${id}/cancel`),
  runs: (project: string) => call<RunRowDto[]>("GET", `${p(project)}/runs`),
  run: (project: string, run: string) => call<RunResultsDto>("GET", `${p(project)}/runs/${encodeURIComponent(run)}`),
  cell: (project: string, run: string, actual?: string, predicted?: string) => {
    const q = new URLSearchParams();
    if (actual !== undefined) q.set("actual", actual);
    if (predicted !== undefined) q.set("predicted", predicted);
    return call<PredictedItemDto[]>("GET", `${p(project)}/runs/${encodeURIComponent(run)}/items?${q}`);
  },
  gradcam: (project: string, run: string, id: number) => `${p(project)}/runs/${encodeURIComponent(run)}/gradcam/${id}`,
  compare: (project: string, a: string, b: string) => call<CompareDto>("GET", `${p(project)}/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`),
  issues: (project: string) => call<IssuesDto>("POST", `${p(project)}/issues`),
  fix: (project: string, action: string, ids: number[], label?: string, run?: string) => call<FixDto>("POST", `${p(project)}/fixes`, { action, ids, label, run }),
  fixes: (project: string) => call<FixDto[]>("GET", `${p(project)}/fixes`),
  undoFix: (project: string, id: number) => call<FixDto>("POST", `${p(project)}/fixes/${id}/undo`),
  promote: (project: string, run: string, name?: string) => call<ServingRecordDto>("POST", `${p(project)}/runs/${encodeURIComponent(run)}/promote`, { name }),
  scoreWalkthrough: (project: string, run: string, id: number) => call<WalkthroughEvalDto>("POST", `${p(project)}/runs/${encodeURIComponent(run)}/walkthroughs/${id}`),
  serving: (project: string) => call<ServingDto>("GET", `${p(project)}/serving`),
  tryRun: async (project: string, run: string, picture: Blob) => {
    const res = await fetch(`${p(project)}/runs/${encodeURIComponent(run)}/try`, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/octet-stream", Accept: "application/json" }, body: picture });
    return unwrap<TryDto>(res.status, await res.text());
  },
  detectEstimate: (project: string) => call<DetectEstimateDto>("GET", `${p(project)}/detect/estimate`),
  detectRun: (project: string, run: string) => call<DetectRunDto>("GET", `${p(project)}/runs/${encodeURIComponent(run)}/detect`),
  runPicture: (project: string, run: string, file: string) => `${p(project)}/runs/${encodeURIComponent(run)}/picture?file=${encodeURIComponent(file)}`,
  tryDetect: async (project: string, run: string, picture: Blob, minScore?: number) => {
    const res = await fetch(`${p(project)}/runs/${encodeURIComponent(run)}/detect${minScore === undefined ? "" : `?minScore=${minScore}`}`, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/octet-stream", Accept: "application/json" }, body: picture });
    return unwrap<DetectTryDto>(res.status, await res.text());
  },
  tryDetectVideo: async (project: string, run: string, video: Blob, minScore?: number) => {
    const res = await fetch(`${p(project)}/runs/${encodeURIComponent(run)}/detect-video${minScore === undefined ? "" : `?minScore=${minScore}`}`, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/octet-stream", Accept: "application/json" }, body: video });
    return unwrap<DetectVideoTryDto>(res.status, await res.text());
  },
  boxIndex: (project: string) => call<BoxIndexDto>("GET", `${p(project)}/boxes`),
  picture: (project: string, id: number) => `${p(project)}/pictures/${id}`,
  boxes: (project: string, id: number) => call<BoxesDto>("GET", `${p(project)}/pictures/${id}/boxes`),
  suggestBoxes: (project: string, id: number) => call<SuggestionsDto>("GET", `${p(project)}/pictures/${id}/suggestions`),
  saveBoxes: (project: string, id: number, boxes: BoxDto[]) =>
    call<{ before: BoxesDto; after: BoxesDto }>("POST", `${p(project)}/pictures/${id}/boxes`, { boxes: boxes.map(b => ({ label: b.label, x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 })) }),
  clearBoxes: (project: string, id: number) => call<BoxesDto>("POST", `${p(project)}/pictures/${id}/boxes/clear`),
  mapClass: (project: string, from: string, to: string | null) => call<Record<string, string>>("POST", `${p(project)}/boxes/map`, { from, to }),
  makeDetection: (project: string) => call<ProjectDto>("POST", `${p(project)}/settings`, { task: "detect" }),
  /** One file as the raw body (XHR for upload progress); `label` null puts it in the inbox. */
  upload: (project: string, url: string, file: Blob, name: string, onProgress: (fraction: number) => void) =>
    new Promise<UploadDto>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${p(project)}/${url}${url.includes("?") ? "&" : "?"}name=${encodeURIComponent(name)}`);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = e => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      xhr.onload = () => { try { resolve(unwrap<UploadDto>(xhr.status, xhr.responseText)); } catch (e) { reject(e); } };
      xhr.onerror = () => reject(new ApiError(0, "network error"));
      xhr.send(file);
    }),
};

/** Items of the first screen: enough cells for a large desktop window; the rest follows at once. */
export const FIRST_PAGE = 240;

export function itemsPath(project: string, view: string, label?: string, limit?: number): string {
  const q = new URLSearchParams({ view });
  if (label) q.set("label", label);
  if (limit !== undefined) q.set("limit", String(limit));
  return `${p(project)}/items?${q}`;
}

export function projectPath(project: string): string { return p(project); }

export function uploadPath(label: string | null): string {
  return label ? `uploads?class=${encodeURIComponent(label)}` : "uploads";
}
