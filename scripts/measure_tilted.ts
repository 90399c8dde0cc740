/**
 * Would 45-degree steps pay? Turns four photos of `../shared/data` (14 faces) counter-clockwise
 * by a tilt (padded canvas, mid grey outside, bilinear) and counts the upright faces found again
 * (detection centre within 0.3 face widths of the upright face's centre, mapped) with
 * `rotations: [0]`, with the quarter turns (and how many other detections they give: false
 * positives or a face found twice), and with the quarter turns plus the same on the image turned
 * back by 45 degrees (what 45-degree steps would add), and the time of each.
 * Nothing here is part of the library: 45-degree steps are not shipped (docs/accuracy.md).
 *
 *   deno run -A scripts/measure_tilted.ts [tilts, default 15 30 45]
 */
import { createDetector, type Face, type RgbImage, useBackend } from "../mod.ts";
import { loadImage, type Rotation } from "../stages.ts";
import { loadDefaultWeights } from "../weights.ts";

type Turned = { image: RgbImage; back: (x: number, y: number) => [number, number] };

/** `img` turned counter-clockwise by `deg` on a canvas that holds it all; `back` maps points back. */
const tiltImage = (img: RgbImage, deg: number): Turned => {
  const a = (deg * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
  const { width: w, height: h } = img;
  const tw = Math.ceil(Math.abs(w * c) + Math.abs(h * s));
  const th = Math.ceil(Math.abs(w * s) + Math.abs(h * c));
  const [cx, cy, ox, oy] = [(w - 1) / 2, (h - 1) / 2, (tw - 1) / 2, (th - 1) / 2];
  const back = (u: number, v: number): [number, number] => [
    cx + c * (u - ox) - s * (v - oy),
    cy + s * (u - ox) + c * (v - oy),
  ];
  const data = new Uint8Array(tw * th * 3).fill(128);
  for (let v = 0; v < th; v++) {
    for (let u = 0; u < tw; u++) {
      const [x, y] = back(u, v);
      if (x < 0 || y < 0 || x > w - 1 || y > h - 1) continue;
      const x0 = Math.floor(x), y0 = Math.floor(y);
      const x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
      const fx = x - x0, fy = y - y0;
      for (let k = 0; k < 3; k++) {
        const p = (xx: number, yy: number) => img.data[(yy * w + xx) * 3 + k];
        const top = p(x0, y0) * (1 - fx) + p(x1, y0) * fx;
        const bottom = p(x0, y1) * (1 - fx) + p(x1, y1) * fx;
        data[(v * tw + u) * 3 + k] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { image: { width: tw, height: th, data }, back };
};

const centre = (
  f: Face,
): [number, number] => [(f.box[0] + f.box[2]) / 2, (f.box[1] + f.box[3]) / 2];

/** Upright faces found again among `found` centres (each centre used once), and the rest. */
const matched = (want: { c: number[]; size: number }[], found: number[][]) => {
  const used = new Set<number>();
  for (const e of want) {
    const k = found.findIndex((p, i) =>
      !used.has(i) && Math.hypot(p[0] - e.c[0], p[1] - e.c[1]) < 0.3 * e.size
    );
    if (k >= 0) used.add(k);
  }
  return { found: used.size, other: found.length - used.size };
};

await useBackend("wasm");
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
const d = await createDetector({ weights: w.right, boxFormat: "xyxy", clip: false });
if (d._tag === "Left") throw new Error(d.left.message);
const data = new URL("../../shared/data/", import.meta.url).pathname;
const files = [
  "peer_tests/faceapi_faces.jpg",
  "bench/group_640x480.jpg",
  "peer_tests/ivan.jpg",
  "bench/astronaut_512x512.jpg",
];
const QUARTERS: Rotation[] = [0, 90, 180, 270];
const detect = async (img: RgbImage, rotations: Rotation[]) => {
  const t = performance.now();
  const r = await d.right.detect(img, { rotations });
  if (r._tag === "Left") throw new Error(r.left.message);
  return { faces: r.right.faces, ms: performance.now() - t };
};
console.log(`load ${Deno.loadavg()[0].toFixed(2)}`);
console.log(
  "| tilt | faces | found, rotations 0 | found, quarter turns (other) | " +
    "found, + 45-degree steps | ms quarter turns | ms + 45-degree steps |\n" +
    "|---|---|---|---|---|---|---|",
);
for (const tilt of Deno.args.length ? Deno.args.map(Number) : [15, 30, 45]) {
  const sum = { faces: 0, zero: 0, q: 0, qo: 0, e: 0, msQ: 0, msE: 0 };
  for (const f of files) {
    const img = await loadImage(data + f);
    if (img._tag === "Left") throw new Error(img.left.message);
    const up = await detect(img.right, [0]);
    const tilted = tiltImage(img.right, tilt);
    // Where each upright face lies in the tilted image (the inverse of `back`).
    const a = (tilt * Math.PI) / 180, c = Math.cos(a), s = Math.sin(a);
    const [cx, cy] = [(img.right.width - 1) / 2, (img.right.height - 1) / 2];
    const [ox, oy] = [(tilted.image.width - 1) / 2, (tilted.image.height - 1) / 2];
    const want = up.faces.map((x) => {
      const [px, py] = centre(x);
      return {
        c: [ox + c * (px - cx) + s * (py - cy), oy - s * (px - cx) + c * (py - cy)],
        size: x.box[2] - x.box[0],
      };
    });
    const zero = await detect(tilted.image, [0]);
    const q = await detect(tilted.image, QUARTERS);
    const turned = tiltImage(tilted.image, -45);
    const e = await detect(turned.image, QUARTERS);
    const qc = q.faces.map(centre);
    const mq = matched(want, qc);
    const me = matched(want, [...qc, ...e.faces.map((x) => turned.back(...centre(x)))]);
    sum.faces += want.length;
    sum.zero += matched(want, zero.faces.map(centre)).found;
    sum.q += mq.found;
    sum.qo += mq.other;
    sum.e += me.found;
    sum.msQ += q.ms;
    sum.msE += q.ms + e.ms;
  }
  console.log(
    `| ${tilt} | ${sum.faces} | ${sum.zero} | ${sum.q} (${sum.qo}) | ${sum.e} | ` +
      `${sum.msQ.toFixed(0)} | ${sum.msE.toFixed(0)} |`,
  );
}
d.right.dispose();
