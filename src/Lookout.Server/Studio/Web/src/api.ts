// The studio's only way to the server: the /v1 JSON API (documented in /openapi.json). Errors keep the envelope.

export interface ClassDto { name: string; items: number }
export interface ModelDto { run: string; labels: string[] }
export interface ProjectDto { name: string; classes: ClassDto[]; inbox: number; excluded: number; total: number; backbone: string; blurThreshold: number; model: ModelDto | null }
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
  createProject: (name: string) => call<ProjectDto>("POST", "/v1/projects", { name }),
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
