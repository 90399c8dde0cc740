/// <reference lib="dom" />
/**
 * The demo page: an image (chosen, dropped, or `?image=URL`) or the webcam, faces drawn over it,
 * aligned crops, time per stage; detection runs in `worker.ts`.
 *
 * Automation contract: `/?image=URL` (same origin) detects on load and writes one line of
 * `deno task detect` into `<pre id="result">`, or a one-line message into `<pre id="error">`.
 * `?webcam=1[&frames=N]` starts the camera on load (and stops after N frames); `?backend=` picks
 * wasm (default), webgpu or cpu. Webcam figures are in `globalThis.mtcnnStats` too.
 *
 * @module
 */
import { type Job, startDetectorClient } from "./client.ts";
import { drawCrops, drawFaces, drawTimings } from "./draw.ts";
import type { DetectLine, Reply, WebBackend } from "./protocol.ts";

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>("canvas");
const ctx = canvas.getContext("2d")!;
const video = $<HTMLVideoElement>("video");
const status = $("status");
const notice = $("notice");
const resultPre = $("result");
const errorPre = $("error");
const stats = $("stats");
const webcamButton = $<HTMLButtonElement>("webcam");

const params = new URLSearchParams(location.search);
const backend = (params.get("backend") ?? "wasm") as WebBackend;

/**
 * A detection answer waits at most this long before the page reports a failure. WebGPU gets
 * longer: on a software adapter (SwiftShader) its first detection compiles shaders for a minute.
 */
const TIMEOUT_MS = backend === "webgpu" ? 600_000 : 60_000;
$<HTMLSelectElement>("backend").value = backend;

/** Webcam figures, for people (the #stats line) and for automation. */
const webcamStats = {
  frames: 0,
  fps: 0,
  tensors: [] as number[],
  faces: [] as number[],
  wasmBytes: [] as number[],
  ms: [] as number[],
  running: false,
};
(globalThis as unknown as { mtcnnStats: typeof webcamStats }).mtcnnStats = webcamStats;

const showNotice = (text: string): void => {
  notice.textContent = notice.hidden ? text : `${notice.textContent} ${text}`;
  notice.hidden = false;
};

const showError = (message: string): void => {
  const line = message.replace(/\s+/g, " ").trim();
  errorPre.textContent = line;
  status.textContent = "Failed: " + line;
};

// ---- the worker and drawing ----

const { started, ask } = startDetectorClient(backend, TIMEOUT_MS);

const render = (r: Extract<Reply, { type: "result" }>, crops = true): void => {
  drawFaces(ctx, r.line.faces, canvas.width / r.line.width, canvas.height / r.line.height);
  if (crops) drawCrops($("crops"), r.crops);
  drawTimings($("timings").querySelector("tbody")!, r.timings, r.ms);
};

/** Shows a still image; the faces come in the image's displayed (EXIF-upright) pixels. */
const showPicture = async (blob: Blob): Promise<void> => {
  const bitmap = await createImageBitmap(blob); // EXIF orientation applied, as the detector does
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
};

// ---- one image ----

const writeResult = (line: DetectLine): void => {
  resultPre.textContent = JSON.stringify(line);
  errorPre.textContent = "";
};

const detectStill = async (job: Job, picture: Promise<Blob>, transfer: Transferable[] = []) => {
  const r0 = await started;
  if (r0.type === "error") return showError(r0.message);
  status.textContent = "Detecting…";
  resultPre.textContent = "";
  errorPre.textContent = "";
  const [reply, blob] = await Promise.all([ask(job, transfer), picture.catch(() => undefined)]);
  if (reply.type === "error") return showError(reply.message);
  if (reply.type !== "result") return;
  if (blob) await showPicture(blob).catch(() => {});
  render(reply);
  writeResult(reply.line);
  resultPre.dataset.numTensors = String(reply.numTensors);
  document.body.dataset.firstResultMs ??= performance.now().toFixed(0);
  const n = reply.line.faces.length;
  status.textContent = `${n} face${n === 1 ? "" : "s"} in ${reply.ms.toFixed(0)} ms`;
};

const detectUrl = (raw: string): Promise<void> => {
  let url: URL;
  try {
    url = new URL(raw, location.href);
  } catch {
    showError(`${raw}: not a URL`);
    return Promise.resolve();
  }
  if (url.origin !== location.origin) {
    showError(`${raw}: only images of this page's origin (${location.origin}) can be read`);
    return Promise.resolve();
  }
  const picture = fetch(url).then((r) => r.ok ? r.blob() : Promise.reject(r.status));
  return detectStill({ type: "url", url: raw, crops: true }, picture);
};

const detectFile = async (file: File): Promise<void> => {
  const bytes = await file.arrayBuffer();
  await detectStill({ type: "bytes", name: file.name, bytes, crops: true }, Promise.resolve(file), [
    bytes,
  ]);
};

$<HTMLInputElement>("file").addEventListener("change", (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) detectFile(f);
});
document.addEventListener("dragover", (e) => {
  e.preventDefault();
  document.body.classList.add("dragging");
});
document.addEventListener("dragleave", () => document.body.classList.remove("dragging"));
document.addEventListener("drop", (e) => {
  e.preventDefault();
  document.body.classList.remove("dragging");
  const f = e.dataTransfer?.files?.[0];
  if (f) detectFile(f);
});
$<HTMLSelectElement>("backend").addEventListener("change", (e) => {
  const p = new URLSearchParams(location.search);
  p.set("backend", (e.target as HTMLSelectElement).value);
  location.search = p.toString();
});

// ---- the webcam ----

let stream: MediaStream | undefined;

const stopWebcam = (): void => {
  if (webcamStats.running) status.textContent = `Webcam stopped after ${webcamStats.frames} frames`;
  webcamStats.running = false;
  stream?.getTracks().forEach((t) => t.stop());
  stream = undefined;
  webcamButton.textContent = "Start the webcam";
};

const webcamLoop = async (maxFrames: number): Promise<void> => {
  const times: number[] = [];
  while (webcamStats.running && webcamStats.frames < maxFrames) {
    if (video.readyState < 2) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    // A WebCodecs VideoFrame where there is one: Chromium's canvas path for video frames
    // (createImageBitmap or drawImage of a video) kept memory per frame in a long loop.
    const frame = "VideoFrame" in globalThis
      ? new VideoFrame(video)
      : await createImageBitmap(video);
    const crops = webcamStats.frames % 10 === 0; // aligned crops now and then: they cost time
    const r = await ask(
      { type: "frame", frame: frame as unknown as ImageBitmap, crops },
      [frame as unknown as Transferable],
    );
    if (r.type === "error") {
      showError(r.message);
      break;
    }
    if (r.type !== "result") continue;
    if (r.frame) {
      if (canvas.width !== r.frame.width || canvas.height !== r.frame.height) {
        canvas.width = r.frame.width;
        canvas.height = r.frame.height;
      }
      const { data, width, height } = r.frame;
      ctx.putImageData(new ImageData(data as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
    }
    render(r, crops);
    times.push(performance.now());
    if (times.length > 30) times.shift();
    webcamStats.frames++;
    webcamStats.fps = times.length > 1
      ? (times.length - 1) * 1000 / (times[times.length - 1] - times[0])
      : 0;
    webcamStats.tensors.push(r.numTensors);
    webcamStats.faces.push(r.line.faces.length);
    webcamStats.wasmBytes.push(r.wasmBytes);
    webcamStats.ms.push(r.ms);
    stats.textContent = `frame ${webcamStats.frames} · ${webcamStats.fps.toFixed(1)} fps · ` +
      `${r.line.faces.length} faces · tf.memory().numTensors ${r.numTensors}`;
    stats.dataset.frames = String(webcamStats.frames);
  }
  stopWebcam();
  stats.dataset.done = "1";
};

const startWebcam = async (maxFrames = Infinity): Promise<void> => {
  const r0 = await started;
  if (r0.type === "error") return showError(r0.message);
  if (!navigator.mediaDevices?.getUserMedia) {
    return showNotice(
      "The camera is not available here: this browser has no getUserMedia (it needs a secure " +
        "context: https:// or http://localhost).",
    );
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: 640, height: 480 },
      audio: false,
    });
  } catch (e) {
    const name = e instanceof DOMException ? e.name : "";
    return showNotice(
      name === "NotAllowedError"
        ? "The camera is not available: permission was denied."
        : name === "NotFoundError"
        ? "The camera is not available: no camera was found."
        : `The camera is not available: ${e instanceof Error ? e.message : String(e)}.`,
    );
  }
  video.srcObject = stream;
  await video.play();
  webcamStats.running = true;
  webcamButton.textContent = "Stop the webcam";
  status.textContent = "Webcam running";
  await webcamLoop(maxFrames);
};

webcamButton.addEventListener("click", () => {
  if (webcamStats.running) stopWebcam();
  else startWebcam();
});

// ---- start ----

started.then((r) => {
  if (r.type === "error") return showError(r.message);
  if (r.type !== "ready") return;
  status.textContent = `Ready: ${r.backend} backend in ${r.ms.toFixed(0)} ms. ` +
    "Choose or drop an image, or start the webcam.";
  if (r.backend === "wasm" && !r.simd) {
    showNotice(
      "WebAssembly SIMD is not available in this browser: detection runs on tfjs's plain wasm " +
        "build, several times slower.",
    );
  } else if (r.backend === "wasm" && !r.kernels) {
    showNotice("Our SIMD convolution kernels could not start here: tfjs's own kernels run.");
  }
  if (r.backend !== backend) showNotice(`The ${backend} backend is not available: ${r.backend}.`);
});

const image = params.get("image");
if (image !== null) detectUrl(image);
if (params.has("webcam")) {
  const n = Number(params.get("frames") ?? "Infinity");
  startWebcam(Number.isFinite(n) && n > 0 ? n : Infinity);
}
