// Lookout's page: pick a model, give an image (file, drop, paste, camera), see the top classes.
// Labels come from users' training data: they are only ever written with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { stream: null };

function apiKey() { return sessionStorage.getItem("lookout.apiKey") || ""; }

async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (apiKey()) headers.set("X-Api-Key", apiKey());
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) $("key-row").hidden = false;
  return response;
}

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

async function loadModels() {
  const response = await api("/v1/models");
  const body = await response.json().catch(() => null);
  if (!response.ok || !body) { setStatus(body?.meta?.message || "Cannot list models.", true); return; }
  const select = $("model");
  const previous = select.value;
  select.replaceChildren(...body.data.map((m) => {
    const option = document.createElement("option");
    option.value = m.name;
    option.textContent = `${m.name} (${m.labels.length} classes, ${m.input.width}x${m.input.height})`;
    return option;
  }));
  if (previous) select.value = previous;
  if (body.data.length === 0) setStatus("No model is being served yet.", true);
}

function showPredictions(data) {
  const items = data.map((p) => {
    const li = document.createElement("li");
    const row = document.createElement("div");
    row.className = "row";
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = p.class;
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = `${(p.score * 100).toFixed(1)}%`;
    row.append(label, score);
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("span");
    fill.style.width = `${Math.max(0, Math.min(1, p.score)) * 100}%`;
    bar.append(fill);
    li.append(row, bar);
    return li;
  });
  $("predictions").replaceChildren(...items);
}

function serverTiming(response) {
  const header = response.headers.get("Server-Timing") || "";
  return header.split(",").map((part) => part.trim().match(/^(\w+);dur=([\d.]+)/)).filter(Boolean)
    .map((m) => `${m[1]} ${Number(m[2]).toFixed(1)} ms`).join(", ");
}

async function classify(blob) {
  if (!blob) return;
  const preview = $("preview");
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(blob);
  preview.hidden = false;
  setStatus("Classifying…");
  $("predictions").replaceChildren();
  $("latency").textContent = "";
  const form = new FormData();
  form.append("file", blob, blob.name || "image");
  form.append("model", $("model").value);
  form.append("top", "5");
  const started = performance.now();
  try {
    const response = await api("/v1/classify", { method: "POST", body: form });
    const body = await response.json();
    const elapsed = performance.now() - started;
    if (!response.ok) { setStatus(body?.meta?.message || `Error ${response.status}`, true); return; }
    showPredictions(body.data);
    setStatus(body.data.length ? "Done." : "No classes.");
    const timing = serverTiming(response);
    $("latency").textContent = `${elapsed.toFixed(0)} ms round trip${timing ? ` (${timing})` : ""}`;
  } catch (e) {
    setStatus("The server did not answer.", true);
  }
}

async function startCamera() {
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    const video = $("camera");
    video.srcObject = state.stream;
    video.hidden = false;
    $("camera-shoot").hidden = false;
  } catch (e) {
    setStatus("The camera is not available.", true);
  }
}

function shoot() {
  const video = $("camera");
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  canvas.toBlob((blob) => classify(blob), "image/jpeg", 0.92);
}

function wire() {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => classify(e.target.files[0]));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); classify(e.dataTransfer.files[0]); });
  document.addEventListener("paste", (e) => {
    const item = [...(e.clipboardData?.items || [])].find((i) => i.type.startsWith("image/"));
    if (item) classify(item.getAsFile());
  });
  $("camera-start").addEventListener("click", startCamera);
  $("camera-shoot").addEventListener("click", shoot);
  $("api-key").value = apiKey();
  $("api-key").addEventListener("change", (e) => { sessionStorage.setItem("lookout.apiKey", e.target.value.trim()); loadModels(); });
  loadModels();
}

wire();
