// Lookout's page: pick a model, give an image (file, drop, paste, camera), see the top classes; or switch to
// "detect objects" and see boxes drawn over the image on a canvas.
// Labels come from users' training data: they are only ever written with textContent or canvas fillText, never as HTML.
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

function detectMode() { return $("mode").value === "detect"; }

function analyse(blob) { return detectMode() ? detect(blob) : classify(blob); }

function showPreview(blob) {
  const preview = $("preview");
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(blob);
  preview.hidden = false;
  $("boxes").hidden = true;
  return preview.src;
}

// Boxes are in the image's own pixels (EXIF orientation applied, as the browser draws it), so the canvas takes the
// image's natural size and CSS scales both together.
async function drawBoxes(url, detections) {
  const img = new Image();
  img.src = url;
  await img.decode();
  const canvas = $("boxes");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const line = Math.max(2, Math.round(Math.min(canvas.width, canvas.height) / 300));
  const fontPx = Math.max(12, Math.round(Math.min(canvas.width, canvas.height) / 25));
  ctx.font = `${fontPx}px system-ui, sans-serif`;
  ctx.textBaseline = "top";
  const palette = ["#e6194b", "#3cb44b", "#0082c8", "#f58230", "#911eb4", "#46f0f0", "#f032e6", "#808000"];
  const colours = new Map();
  for (const d of detections) {
    if (!colours.has(d.label)) colours.set(d.label, palette[colours.size % palette.length]);
    const colour = colours.get(d.label);
    const { x1, y1, x2, y2 } = d.box;
    ctx.strokeStyle = colour;
    ctx.lineWidth = line;
    ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
    const caption = `${d.label} ${(d.score * 100).toFixed(0)}%`;
    const width = ctx.measureText(caption).width + 2 * line;
    const top = y1 - fontPx - 2 * line >= 0 ? y1 - fontPx - 2 * line : y1;
    ctx.fillStyle = colour;
    ctx.fillRect(x1, top, width, fontPx + 2 * line);
    ctx.fillStyle = "#fff";
    ctx.fillText(caption, x1 + line, top + line);
  }
  canvas.hidden = false;
  $("preview").hidden = true;
}

async function detect(blob) {
  if (!blob) return;
  const url = showPreview(blob);
  setStatus("Detecting…");
  $("predictions").replaceChildren();
  $("latency").textContent = "";
  const form = new FormData();
  form.append("file", blob, blob.name || "image");
  const started = performance.now();
  try {
    const response = await api("/v1/detect", { method: "POST", body: form });
    const body = await response.json();
    const elapsed = performance.now() - started;
    if (!response.ok) { setStatus(body?.meta?.message || `Error ${response.status}`, true); return; }
    showPredictions(body.data.map((d) => ({ class: d.label, score: d.score })));
    await drawBoxes(url, body.data);
    setStatus(body.data.length ? `Done: ${body.data.length} object(s).` : "No objects found.");
    const timing = serverTiming(response);
    $("latency").textContent = `${elapsed.toFixed(0)} ms round trip${timing ? ` (${timing})` : ""}`;
  } catch (e) {
    setStatus("The server did not answer.", true);
  }
}

async function classify(blob) {
  if (!blob) return;
  showPreview(blob);
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
  canvas.toBlob((blob) => analyse(blob), "image/jpeg", 0.92);
}

function wire() {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => analyse(e.target.files[0]));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); analyse(e.dataTransfer.files[0]); });
  document.addEventListener("paste", (e) => {
    const item = [...(e.clipboardData?.items || [])].find((i) => i.type.startsWith("image/"));
    if (item) analyse(item.getAsFile());
  });
  $("camera-start").addEventListener("click", startCamera);
  $("camera-shoot").addEventListener("click", shoot);
  $("mode").addEventListener("change", () => {
    $("model-row").hidden = detectMode(); // the detector is the server's COCO model, not one of yours
    setStatus(detectMode() ? "Give an image to find people, animals, vehicles and 77 more kinds of objects." : "Choose a model and an image.");
  });
  $("api-key").value = apiKey();
  $("api-key").addEventListener("change", (e) => { sessionStorage.setItem("lookout.apiKey", e.target.value.trim()); loadModels(); });
  loadModels();
}

wire();
