/**
 * Tracking quality on the test clips (made with ffmpeg from the fixture photos): per clip and
 * mode, the true faces visible (centre inside the frame), those matched by a tracked face, id
 * switches, fragmented tracks (extra ids per true face) and ids reused for another face.
 *
 *   deno run -A bench/video_tracks.ts [--memory SECONDS] [--ks 1,5,10] [--verbose]
 */
import { createTracker } from "../track.ts";
import { createFrameDetector, openVideo, trackVideo } from "../video.ts";
import { useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import {
  ASTRONAUT,
  CLIP_SIZE,
  GROUP,
  makeClips,
  trackFigures,
  writeClip,
} from "../tests/_video_clips.ts";

const arg = (name: string, dflt: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : dflt;
};
const memory = Number(arg("memory", "1"));
const ks = arg("ks", "1,5,10").split(",").map(Number);
await useBackend("auto");
const d = await createFrameDetector({ workers: 0 });
if (d._tag === "Left") throw new Error(d.left.message);
const detector = d.right;
const photo = async (p: string) => {
  const img = await loadImage(p);
  if (img._tag === "Left") throw new Error(img.left.message);
  const r = await detector.detect(img.right);
  if (r._tag === "Left") throw new Error(r.left.message);
  return r.right.faces;
};
const clips = makeClips(await photo(GROUP), (await photo(ASTRONAUT))[0]);
const dir = await Deno.makeTempDir({ prefix: "mtcnn_clips_" });
console.log(`track memory ${memory} s (${Math.round(memory * CLIP_SIZE.fps)} frames)\n`);
console.log(
  "| clip | frames | mode | true faces visible | matched | id switches | fragmented | ids reused |",
);
console.log(
  "| ---- | ------ | ---- | ------------------ | ------- | ----------- | ---------- | ---------- |",
);
try {
  for (const clip of clips) {
    const path = await writeClip(clip, dir);
    for (const k of ks) {
      const v = await openVideo(path)();
      if (v._tag === "Left") throw new Error(v.left.message);
      const tracker = createTracker({ maxMissed: Math.round(memory * CLIP_SIZE.fps) });
      if (tracker._tag === "Left") throw new Error(tracker.left.message);
      const frames = [];
      for await (const r of trackVideo(v.right, detector, tracker.right, { trackFast: k })) {
        if (r._tag === "Left") throw new Error(r.left.message);
        frames.push({ frame: r.right.frame.frame, faces: r.right.faces });
      }
      await v.right.finish();
      const f = trackFigures(clip, frames);
      const mode = k === 1 ? "full" : `track-fast ${k}`;
      console.log(
        `| ${clip.name} | ${clip.frames} | ${mode} | ${f.visible} | ${f.matched} | ${f.switches} | ${f.fragments} | ${f.reused} |`,
      );
      if (Deno.args.includes("--verbose")) console.log(JSON.stringify(f.ids));
    }
  }
} finally {
  detector.dispose();
  await Deno.remove(dir, { recursive: true });
}
