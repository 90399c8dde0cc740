/**
 * The demo page's detection worker: the library's front door (`createDetector`, embedded
 * weights, tfjs wasm with our SIMD kernels) off the page's main thread. Images arrive as URLs
 * (fetched here), encoded bytes (a chosen or dropped file) or camera frames; each answer is one
 * line of `deno task detect` plus timings, aligned crops and the tensor count.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { alignFace } from "../lib/align/align_face.ts";
import type { Keypoints, Point } from "../lib/face.ts";
import type { RgbImage } from "../lib/image.ts";
import { wasmConvKernels } from "../lib/kernels/wasm_conv.ts";
import { createDetector, type Detector, type ImageInput, useBackend } from "../mod.ts";
import { hasWasmSimd } from "../pipelines/edge/browser/backend.ts";
import {
  bitmapToRgba,
  type RgbaPixels,
  rgbaToRgb,
  type VideoFrameLike,
  videoFrameToRgba,
} from "../pipelines/edge/browser/decode.ts";
import type { Reply, Request, Rgba } from "./protocol.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent<Request>) => void) | null;
  postMessage(message: Reply, transfer?: Transferable[]): void;
}
const scope = globalThis as unknown as WorkerScope;

let detector: Detector | undefined;

const post = (m: Reply, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

const init = async (backend: "wasm" | "webgpu" | "cpu"): Promise<string | undefined> => {
  const t0 = performance.now();
  const b = await useBackend(backend);
  if (b._tag === "Left") return b.left.message;
  const d = await createDetector();
  if (d._tag === "Left") return d.left.message;
  detector = d.right;
  post({
    type: "ready",
    backend: b.right,
    simd: hasWasmSimd(),
    kernels: wasmConvKernels(),
    ms: performance.now() - t0,
  });
  return undefined;
};

const toRgba = (img: RgbImage): Rgba => {
  const data = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0, j = 0; j < data.length; i += 3, j += 4) {
    data[j] = img.data[i];
    data[j + 1] = img.data[i + 1];
    data[j + 2] = img.data[i + 2];
    data[j + 3] = 255;
  }
  return { width: img.width, height: img.height, data };
};

const wasmBytes = (): number => {
  if (tf.getBackend() !== "wasm") return 0;
  const w = (tf.backend() as unknown as {
    wasm?: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  }).wasm;
  return (w?.asm?.memory ?? w?.wasmMemory)?.buffer.byteLength ?? 0;
};

const scaled = (k: Keypoints, s: number): Keypoints =>
  Object.fromEntries(
    Object.entries(k).map(([name, [x, y]]: [string, Point]) => [name, [x * s, y * s]]),
  ) as unknown as Keypoints;

/** Detects as `deno task detect` does (the same detector and defaults) and answers. */
const detect = async (
  d: Detector,
  id: number,
  name: string,
  input: ImageInput,
  crops: boolean,
  frame?: RgbaPixels,
): Promise<void> => {
  const t0 = performance.now();
  const r = await d.detect(input, { keepImage: crops });
  const ms = performance.now() - t0;
  if (r._tag === "Left") {
    post({ type: "error", id, message: r.left.message });
    return;
  }
  const { width, height, faces, timings, image } = r.right;
  const aligned: Rgba[] = [];
  if (crops && image) {
    const s = image.width / width; // 1 unless the image had to be downscaled
    for (const f of faces) {
      if (!f.keypoints) continue;
      const a = alignFace(image, scaled(f.keypoints, s), { size: 112 });
      if (a._tag === "Right") aligned.push(toRgba(a.right.image));
    }
  }
  const mem = tf.memory();
  const shown: Rgba | undefined = frame
    ? { width: frame.width, height: frame.height, data: new Uint8ClampedArray(frame.data.buffer) }
    : undefined;
  post({
    type: "result",
    id,
    line: { image: name, width, height, faces },
    timings,
    detectMs: ms - (timings.decode ?? 0),
    ms: performance.now() - t0,
    crops: aligned,
    frame: shown,
    numTensors: mem.numTensors,
    numBytes: mem.numBytes,
    wasmBytes: wasmBytes(),
  }, [...aligned, ...(shown ? [shown] : [])].map((c) => c.data.buffer as ArrayBuffer));
};

/** A camera frame's pixels; the frame is closed. */
const framePixels = async (frame: VideoFrameLike | ImageBitmap): Promise<RgbaPixels> => {
  try {
    return "copyTo" in frame ? await videoFrameToRgba(frame) : bitmapToRgba(frame);
  } finally {
    frame.close();
  }
};

// One request at a time, in order: the page sends the next frame when this one is answered.
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (e: MessageEvent<Request>) => {
  const m = e.data;
  queue = queue.then(async () => {
    try {
      if (m.type === "init") {
        const why = await init(m.backend);
        if (why) post({ type: "error", id: -1, message: why });
        return;
      }
      if (!detector) {
        post({ type: "error", id: m.id, message: "the detector is not ready" });
        return;
      }
      if (m.type === "url") await detect(detector, m.id, m.url, m.url, m.crops);
      else if (m.type === "bytes") {
        await detect(detector, m.id, m.name, new Uint8Array(m.bytes), m.crops);
      } else {
        const px = await framePixels(m.frame);
        const rgb = rgbaToRgb(px.width, px.height, px.data);
        await detect(detector, m.id, "camera", rgb, m.crops, px);
      }
    } catch (err) {
      const id = m.type === "init" ? -1 : m.id;
      post({ type: "error", id, message: err instanceof Error ? err.message : String(err) });
    }
  });
};
