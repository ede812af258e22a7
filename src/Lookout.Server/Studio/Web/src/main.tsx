import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, ApiError, FIRST_PAGE, itemsPath, prefetch, projectPath, type ProjectDto } from "./api";
import { Collect } from "./Collect";
import { hotkeyFor } from "./hotkeys";
import { ItemsView, type View } from "./ItemsView";
import { UndoStack } from "./undo";
import { Walkthrough } from "./Walkthrough";
import { Train } from "./Train";
import { Results } from "./Results";
import { Try } from "./Try";
import { Boxes } from "./Boxes";

type Route = { page: "projects" } | { page: "project"; name: string; tab: string; label?: string };

function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts[0] === "p" && parts[1]) return { page: "project", name: parts[1], tab: parts[2] || "collect", label: parts[3] };
  return { page: "projects" };
}
export const link = (...parts: string[]) => "#/" + parts.map(encodeURIComponent).join("/");

function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => { const on = () => setHash(location.hash); addEventListener("hashchange", on); return () => removeEventListener("hashchange", on); }, []);
  return parse(hash);
}

function App() {
  const [session, setSession] = useState<{ required: boolean; loggedIn: boolean } | null>(null);
  const route = useRoute();
  useEffect(() => { void api.session().then(setSession).catch(() => setSession({ required: true, loggedIn: false })); }, []);
  if (!session) return <p class="muted pad">Loading…</p>;
  if (!session.loggedIn) return <Login onDone={() => setSession({ required: true, loggedIn: true })} />;
  return route.page === "project" ? <ProjectPage route={route} /> : <Projects />;
}

function Login({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState("");
  return (
    <main class="narrow">
      <h1>Lookout studio</h1>
      <p>This server asks for its API key before anyone may add or label pictures.</p>
      <form onSubmit={async e => { e.preventDefault(); try { await api.login(key); onDone(); } catch (x) { setError((x as Error).message); } }}>
        <input id="api-key" type="password" autocomplete="current-password" value={key} onInput={e => setKey((e.target as HTMLInputElement).value)} placeholder="API key" />
        <button type="submit">Log in</button>
      </form>
      {error && <p class="error">{error}</p>}
    </main>
  );
}

function Projects() {
  const [list, setList] = useState<ProjectDto[] | null>(null);
  const [name, setName] = useState("");
  const [detect, setDetect] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => { void api.projects().then(setList).catch(e => setError((e as Error).message)); }, []);
  const create = async (e: Event) => {
    e.preventDefault();
    try { const p = await api.createProject(name, detect ? "detect" : "classify"); location.hash = link("p", p.name, "collect"); }
    catch (x) { setError((x as Error).message); }
  };
  return (
    <main class="narrow">
      <h1>Lookout studio</h1>
      <p class="muted">A project is a data folder (one folder per class) and its workspace. Collect and label here; <code>lookout train</code> reads the same folder.</p>
      <ul class="projects" id="projects">
        {list?.map(p => (
          <li><a href={link("p", p.name, p.task === "detect" ? "boxes" : "inbox")}>{p.name}</a> <span class="muted">{p.task === "detect" ? "boxes · " : ""}{p.classes.length} classes · {p.total} pictures · {p.inbox} in the inbox</span></li>
        ))}
        {list?.length === 0 && <li class="muted">No projects yet.</li>}
      </ul>
      <form class="row" onSubmit={create}>
        <input id="new-project" value={name} onInput={e => setName((e.target as HTMLInputElement).value)} placeholder="New project name" required />
        <label title="Draw boxes around things (a detector) instead of sorting whole pictures into classes"><input id="new-project-detect" type="checkbox" checked={detect} onChange={e => setDetect((e.target as HTMLInputElement).checked)} /> boxes (detection)</label>
        <button type="submit" id="create-project">Create project</button>
      </form>
      {error && <p class="error" id="error">{error}</p>}
    </main>
  );
}

function ProjectPage({ route }: { route: Extract<Route, { page: "project" }> }) {
  const [project, setProject] = useState<ProjectDto | null>(null);
  const [error, setError] = useState("");
  const [menu, setMenu] = useState(false);
  const undo = useMemo(() => new UndoStack(), [route.name]);
  const refresh = () => api.project(route.name).then(setProject).catch(e => setError(e instanceof ApiError && e.status === 404 ? "No such project." : (e as Error).message));
  useEffect(() => { void refresh(); }, [route.name]);
  useEffect(() => setMenu(false), [route.name, route.tab, route.label]); // the phone menu closes on navigation
  if (!project) return <p class="pad">{error || "Loading…"}</p>;
  const view: View | null = route.tab === "inbox" ? { kind: "inbox" } : route.tab === "class" && route.label ? { kind: "class", label: route.label } : route.tab === "excluded" ? { kind: "excluded" } : null;
  const tab = (t: string, text: string, extra?: string) => <a class={route.tab === t ? "active" : ""} href={link("p", project.name, t)} id={`tab-${t}`}>{text}{extra && <span class="count">{extra}</span>}</a>;
  return (
    <div class="layout">
      <header>
        <button class="menu" aria-label="Classes" onClick={() => setMenu(!menu)}>☰</button>
        <a href="#/" class="home">Lookout studio</a> <strong class="project-name">{project.name}</strong>
        {project.task === "detect"
          ? <nav>{tab("collect", "Collect")}{tab("boxes", "Boxes", String(project.total))}{tab("train", "Train")}{tab("results", "Results")}{tab("try", "Try it")}</nav>
          : <nav>{tab("collect", "Collect")}{tab("inbox", "Inbox", String(project.inbox))}{tab("excluded", "Excluded", String(project.excluded))}{tab("walkthrough", "Walk-through")}{tab("train", "Train")}{tab("results", "Results")}{tab("try", "Try it")}</nav>}
      </header>
      <aside class={menu ? "open" : ""} onClick={e => { if ((e.target as HTMLElement).tagName === "A") setMenu(false); }}>
        <Classes project={project} current={route.tab === "class" ? route.label : undefined} onChanged={() => void refresh()} />
      </aside>
      <main>
        {project.diskLow && (
          <p class="disk-low" id="disk-low">Only {megabytes(project.diskFreeBytes ?? 0)} left on the disk that holds this project: new photos, videos and
            training may fail. Free some space (old runs in the project's <code>.lookout/runs</code> folder, or files elsewhere on that disk).</p>
        )}
        {error && <p class="error">{error}</p>}
        {route.tab === "collect" && <Collect project={project} onChanged={() => void refresh()} />}
        {view && <ItemsView project={project} view={view} undo={undo} onChanged={() => void refresh()} />}
        {route.tab === "walkthrough" && <Walkthrough project={project} />}
        {route.tab === "train" && <Train project={project} onDone={() => void refresh()} />}
        {route.tab === "results" && <Results project={project} run={route.label} onChanged={() => void refresh()} />}
        {route.tab === "try" && <Try project={project} run={route.label} onChanged={() => void refresh()} />}
        {route.tab === "boxes" && <Boxes project={project} picture={route.label ? Number(route.label) : undefined} onChanged={() => void refresh()} />}
      </main>
    </div>
  );
}

function Classes({ project, current, onChanged }: { project: ProjectDto; current?: string; onChanged: () => void }) {
  const [name, setName] = useState("");
  const [renaming, setRenaming] = useState<string | null>(null);
  const [to, setTo] = useState("");
  const [error, setError] = useState("");
  const act = async (p: Promise<unknown>) => { try { await p; setError(""); onChanged(); } catch (e) { setError((e as Error).message); } };
  return (
    <div class="classes">
      <h3>Classes</h3>
      <ul id="classes">
        {project.classes.map((c, i) => (
          <li class={c.name === current ? "active" : ""} data-class={c.name}>
            {renaming === c.name ? (
              <form onSubmit={e => { e.preventDefault(); void act(api.renameClass(project.name, c.name, to).then(r => { setRenaming(null); if (current === c.name) location.hash = link("p", project.name, "class", r.name); })); }}>
                <input class="rename-input" value={to} onInput={e => setTo((e.target as HTMLInputElement).value)} autoFocus />
                <button type="submit">OK</button>
              </form>
            ) : (
              <>
                <kbd>{hotkeyFor(i) ?? ""}</kbd>
                <a href={link("p", project.name, "class", c.name)}>{c.name === "_none" ? "none of these" : c.name}</a>
                <span class="count" title={project.task === "detect" ? "boxes saved" : "pictures"}>{c.items}</span>
                <button class="link rename" title="Rename" onClick={() => { setRenaming(c.name); setTo(c.name); }}>✎</button>
              </>
            )}
          </li>
        ))}
      </ul>
      <form class="row" onSubmit={e => { e.preventDefault(); void act(api.addClass(project.name, name).then(() => setName(""))); }}>
        <input id="new-class" value={name} onInput={e => setName((e.target as HTMLInputElement).value)} placeholder="New class" />
        <button type="submit" id="add-class">Add</button>
      </form>
      {error && <p class="error" id="class-error">{error}</p>}
      {project.model && <p class="muted">Current model: {project.model.run}</p>}
    </div>
  );
}

// Start the first screen's requests at once, in parallel (session, project, and the grid's items).
{
  prefetch("/v1/session");
  const first = parse(location.hash);
  if (first.page === "project") {
    prefetch(projectPath(first.name));
    if (first.tab === "inbox" || first.tab === "excluded") prefetch(itemsPath(first.name, first.tab, undefined, FIRST_PAGE));
    if (first.tab === "class" && first.label) prefetch(itemsPath(first.name, "class", first.label, FIRST_PAGE));
  }
}

render(<App />, document.getElementById("app")!);

/** Bytes as people read them: "850 KB", "12.3 MB", "4.2 GB". */
function megabytes(bytes: number): string {
  if (bytes < 1 << 20) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1 << 30) return `${(bytes / 1048576).toFixed(1)} MB`;
  return `${(bytes / 1073741824).toFixed(1)} GB`;
}
