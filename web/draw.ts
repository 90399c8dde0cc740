/// <reference lib="dom" />
/**
 * Drawing the demo's results: faces (box, score, five landmarks) over the picture, the aligned
 * crops, and the time per stage.
 *
 * @module
 */
import type { Face } from "../lib/face.ts";
import type { Rgba } from "./protocol.ts";

/** Draws boxes, scores and landmarks; `sx`, `sy` map image pixels to canvas pixels. */
export const drawFaces = (
  ctx: CanvasRenderingContext2D,
  faces: readonly Face[],
  sx: number,
  sy: number,
): void => {
  const unit = Math.max(1, Math.max(ctx.canvas.width, ctx.canvas.height) / 500);
  ctx.lineWidth = 2 * unit;
  ctx.font = `${12 * unit}px system-ui, sans-serif`;
  for (const f of faces) {
    const [x, y, w, h] = f.box;
    ctx.strokeStyle = "#2f2";
    ctx.strokeRect(x * sx, y * sy, w * sx, h * sy);
    ctx.fillStyle = "#2f2";
    ctx.fillText(f.confidence.toFixed(3), x * sx, y * sy - 3 * unit);
    if (!f.keypoints) continue;
    ctx.fillStyle = "#f33";
    for (const [px, py] of Object.values(f.keypoints)) {
      ctx.beginPath();
      ctx.arc(px * sx, py * sy, 2.5 * unit, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
};

/** Shows the aligned crops in `box`, one canvas each. */
export const drawCrops = (box: HTMLElement, crops: readonly Rgba[]): void => {
  box.replaceChildren(...crops.map((c) => {
    const el = document.createElement("canvas");
    el.width = c.width;
    el.height = c.height;
    el.getContext("2d")!.putImageData(
      new ImageData(c.data as Uint8ClampedArray<ArrayBuffer>, c.width, c.height),
      0,
      0,
    );
    return el;
  }));
};

/** Fills the table body `tbody` with one row per stage and the worker's total. */
export const drawTimings = (
  tbody: HTMLElement,
  timings: Readonly<Record<string, number>>,
  total: number,
): void => {
  const rows = [...Object.entries(timings), ["total (worker)", total] as const];
  tbody.replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td>${k}</td><td>${v.toFixed(1)} ms</td>`;
    return tr;
  }));
};
