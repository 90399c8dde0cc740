/**
 * Peak resident memory (VmHWM) of one process that detects the faces of the 1920x1080 bench
 * image, after the backend and weights are loaded and after the detection.
 *
 *   deno run -A bench/peak_memory.ts [--workers N]
 */
import { createDetector, useBackend } from "../mod.ts";
import { loadDefaultWeights } from "../weights.ts";
import { sharedData } from "../tests/_shared.ts";
import { peakRssMb } from "./_rss.ts";

const wi = Deno.args.indexOf("--workers");
const workers = wi >= 0 ? Number(Deno.args[wi + 1]) : 0;
await useBackend("wasm");
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
const d = workers > 0
  ? await createDetector({ weights: w.right, workers })
  : await createDetector({ weights: w.right });
if (d._tag === "Left") throw new Error(d.left.message);
const ready = peakRssMb();
const r = await d.right.detect(sharedData("bench/group_1920x1080.jpg"));
if (r._tag === "Left") throw new Error(r.left.message);
console.log(
  `workers ${workers}: peak RSS ${ready.toFixed(0)} MB when ready, ${
    peakRssMb().toFixed(0)
  } MB after detecting 1920x1080 (${r.right.faces.length} faces); workers' memory is in the same process`,
);
d.right.dispose();
