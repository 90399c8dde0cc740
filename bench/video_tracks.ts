/**
 * Tracking quality on the test clips (made with ffmpeg from the fixture photos): per clip, the
 * detections matched to the true faces, id switches, fragmented tracks and ids reused.
 *
 *   deno run -A bench/video_tracks.ts [--memory SECONDS]
 */
import { createDetector, loadDefaultWeights, useBackend } from "../mod.ts";
import {
  ASTRONAUT,
  CLIP_SIZE,
  detectClip,
  GROUP,
  makeClips,
  runTracker,
  trackFigures,
  writeClip,
} from "../tests/_video_clips.ts";

const memoryArg = Deno.args.indexOf("--memory");
const memory = memoryArg >= 0 ? Number(Deno.args[memoryArg + 1]) : 1;
await useBackend("auto")();
const w = await loadDefaultWeights();
if (w._tag === "Left") throw new Error(w.left.message);
const d = createDetector(w.right);
if (d._tag === "Left") throw new Error(d.left.message);
const detector = d.right;
const photo = async (p: string) => {
  const r = await detector.detect(p);
  if (r._tag === "Left") throw new Error(r.left.message);
  return r.right.faces;
};
const clips = makeClips(await photo(GROUP), (await photo(ASTRONAUT))[0]);
const dir = await Deno.makeTempDir({ prefix: "mtcnn_clips_" });
console.log(
  `| clip | frames | true faces visible | matched | id switches | fragmented | ids reused |`,
);
console.log(
  `| ---- | ------ | ------------------ | ------- | ----------- | ---------- | ---------- |`,
);
try {
  for (const clip of clips) {
    const path = await writeClip(clip, dir);
    const detections = await detectClip(path, detector);
    const tracked = runTracker(detections, { maxMissed: Math.round(memory * CLIP_SIZE.fps) });
    const f = trackFigures(clip, tracked);
    console.log(
      `| ${clip.name} | ${clip.frames} | ${f.visible} | ${f.matched} | ${f.switches} | ${f.fragments} | ${f.reused} |`,
    );
    if (Deno.args.includes("--verbose")) console.log(JSON.stringify(f.ids));
  }
} finally {
  detector.dispose();
  await Deno.remove(dir, { recursive: true });
}
