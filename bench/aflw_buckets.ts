/**
 * Analysis only (no selection): AFLW NME per landmark source, bucketed by how far the squared
 * final box leaves the image.
 *
 *   deno run -A bench/aflw_buckets.ts cascade=cascade z2=/tmp/mtcnn_train/lm_onet_z2/onet.lz4:zeros
 *
 * ("cascade" = the cascade ONet's own landmarks; W:padding = a landmark ONet and its crop padding).
 */
import * as tf from "@tensorflow/tfjs";
import { createDetector, KEYPOINT_NAMES, useBackend } from "../mod.ts";
import { cascade, faceAndLandmarks, localNet, refineLandmarks } from "../stages.ts";
import { loadDefaultWeights } from "../weights.ts";
import { loadNetWeights, loadTrainingImages } from "../train.ts";
import { faceNme, matchFace } from "../eval.ts";
import { squareBoxes } from "../lib/candidates.ts";
await useBackend("wasm");
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error("cannot load");
const imgs = await loadTrainingImages("../shared/data/mtfl/testing.txt", "mtfl");
if (imgs._tag === "Left") throw new Error("cannot load");
const names: string[] = [];
const dets = [];
for (const spec of Deno.args) {
  const [name, rest] = spec.split("=");
  names.push(name);
  if (rest === "cascade") {
    dets.push(await createDetector({ weights: w.right }));
    continue;
  }
  const [path, padding] = rest.split(":");
  const lw = await loadNetWeights("onet", path);
  if (lw._tag === "Left") throw new Error("cannot load");
  const lt = localNet("onet", lw.right);
  if (lt._tag === "Left") throw new Error("cannot load");
  dets.push(
    await createDetector({
      weights: w.right,
      stages: (nets, o) =>
        cascade(
          faceAndLandmarks(nets, o),
          refineLandmarks(lt.right, { padding: padding as "zeros" }),
        ),
    }),
  );
}
const edges = [0, 1e-9, 0.1, 0.2, Infinity];
const sums = names.map(() => edges.map(() => 0)), counts = edges.map(() => 0);
const dy = names.map(() => 0);
let matched = 0;
for (const im of imgs.right) {
  const lm = im.faces[0].landmarks!;
  const truth = [0, 1, 2, 3, 4].map((k) => [lm[k], lm[5 + k]] as [number, number]);
  let bucket = -1;
  for (const [j, d] of dets.entries()) {
    if (d._tag === "Left") throw new Error("cannot load");
    const r = await d.right.detect(im.path, { boxFormat: "xyxy", clip: false });
    if (r._tag === "Left") break;
    const f = matchFace(truth as never, r.right.faces, "xyxy");
    if (!f) break;
    if (j === 0) {
      const sq = squareBoxes(Float64Array.from(f.box), 1), side = sq[2] - sq[0];
      const W = r.right.width, H = r.right.height;
      const beyond = Math.max(0, -sq[0], -sq[1], sq[2] - W, sq[3] - H) / side;
      bucket = edges.findIndex((e, i) => beyond >= e && beyond < edges[i + 1]);
      counts[bucket]++;
      matched++;
    }
    const pts = KEYPOINT_NAMES.map((k) => f.keypoints![k]);
    sums[j][bucket] += faceNme(truth as never, pts);
    const iod = Math.hypot(truth[1][0] - truth[0][0], truth[1][1] - truth[0][1]);
    dy[j] += ((pts[0][1] + pts[1][1]) / 2 - (truth[0][1] + truth[1][1]) / 2) / iod;
  }
}
const labels = ["inside", "0-10%", "10-20%", ">20%"];
console.log(
  ["source", ...labels.map((l, i) => `${l} (${counts[i]})`), "all", "eye dy/IOD"].join(" | "),
);
for (const [j, n] of names.entries()) {
  const all = sums[j].reduce((a, b) => a + b, 0) / matched;
  console.log(
    [
      n,
      ...labels.map((_, i) => (sums[j][i] / counts[i]).toFixed(4)),
      all.toFixed(4),
      (dy[j] / matched).toFixed(4),
    ].join(" | "),
  );
}
console.log("tensors", tf.memory().numTensors);
