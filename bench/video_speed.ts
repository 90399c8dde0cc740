/**
 * Video speed: frames per second of the video loop (ffmpeg decoding, detection, tracking) on a
 * 1280x720 clip, every frame, full detection vs `--track-fast K`, with the recall of the full
 * detection's faces; and what decoding through the ffmpeg pipe costs per frame.
 *
 *   deno run -A bench/video_speed.ts [--workers 2] [--frames 75] [--runs 3] [--ks 5,10]
 *
 * The clip is made with ffmpeg from ../shared/data/bench/group_1920x1080.jpg (a slow zoom and
 * pan, 25 fps, H.264), or from the fixture group photo upscaled when ../shared is absent.
 */
import { existsSync } from "node:fs";
import process from "node:process";
import { iou } from "../lib/nms.ts";
import type { Face } from "../lib/face.ts";
import { createTracker } from "../lib/track/create_tracker.ts";
import { useBackend } from "../mod.ts";
import { openVideo } from "../pipelines/edge/video_reader.ts";
import { createFrameDetector } from "../pipelines/frame_detector.ts";
import { trackVideo } from "../pipelines/track_video.ts";
import { sharedData } from "../tests/_shared.ts";
import { GROUP } from "../tests/_video_clips.ts";

const arg = (name: string, dflt: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : dflt;
};
const workers = Number(arg("workers", "2"));
const frames = Number(arg("frames", "75"));
const runs = Number(arg("runs", "3"));
const ks = arg("ks", "5,10").split(",").map(Number);

const big = sharedData("bench/group_1920x1080.jpg");
const source = existsSync(big) ? big : GROUP;
const dir = await Deno.makeTempDir({ prefix: "mtcnn_video_speed_" });
const clip = `${dir}/clip_1280x720.mp4`;
const made = await new Deno.Command("ffmpeg", {
  args: [
    "-v",
    "error",
    "-y",
    "-i",
    source,
    "-vf",
    `scale=1920:1080,zoompan=z='1+0.002*on':x='iw/2-iw/zoom/2+on':y='ih/2-ih/zoom/2':d=${frames}` +
    `:s=1280x720:fps=25`,
    "-frames:v",
    String(frames),
    "-c:v",
    "libx264",
    "-crf",
    "18",
    "-pix_fmt",
    "yuv420p",
    clip,
  ],
}).output();
if (!made.success) throw new Error(new TextDecoder().decode(made.stderr));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => Deno.loadavg()[0].toFixed(2);

// 1. Decoding alone: ffmpeg to nothing, and through our pipe into RGB frames.
const nullDecode = async () => {
  const t0 = performance.now();
  await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-i", clip, "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", "/dev/null"],
  }).output();
  return (performance.now() - t0) / frames;
};
const pipeDecode = async () => {
  const t0 = performance.now();
  const v = await openVideo(clip)();
  if (v._tag === "Left") throw new Error(v.left.message);
  let n = 0;
  while (await v.right.next()) n++;
  await v.right.finish();
  if (n !== frames) throw new Error(`decoded ${n} frames of ${frames}`);
  return (performance.now() - t0) / frames;
};
const nullMs: number[] = [], pipeMs: number[] = [];
for (let r = 0; r < runs; r++) {
  nullMs.push(await nullDecode());
  pipeMs.push(await pipeDecode());
}

// 2. The video loop with detection and tracking.
await useBackend("wasm");
const fd = await createFrameDetector({ workers });
if (fd._tag === "Left") throw new Error(fd.left.message);
const detector = fd.right;
const pass = async (k: number) => {
  const v = await openVideo(clip)();
  if (v._tag === "Left") throw new Error(v.left.message);
  const out: (readonly Face[])[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const tracker = createTracker();
  if (tracker._tag === "Left") throw new Error(tracker.left.message);
  for await (const r of trackVideo(v.right, detector, tracker.right, { trackFast: k })) {
    if (r._tag === "Left") throw new Error(r.left.message);
    out.push(r.right.faces);
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await v.right.finish();
  // CPU time of this process (main thread and workers; ffmpeg not included), per frame.
  const cpuMs = (cpu.user + cpu.system) / 1000 / out.length;
  return { fps: out.length / secs, cpuMs, faces: out };
};
const xyxy = (b: Face["box"]) => [b[0], b[1], b[0] + b[2], b[1] + b[3]];
const recall = (ref: (readonly Face[])[], got: (readonly Face[])[]) => {
  let found = 0, total = 0;
  ref.forEach((fs, i) => {
    for (const f of fs) {
      total++;
      if (got[i].some((g) => iou(xyxy(f.box), xyxy(g.box)) >= 0.5)) found++;
    }
  });
  return total ? found / total : 1;
};
await pass(1); // warm-up
const loads = [load()];
const results = new Map<
  number,
  { fps: number[]; cpuMs: number[]; faces: (readonly Face[])[] }
>();
for (let r = 0; r < runs; r++) {
  for (const k of [1, ...ks]) {
    const p = await pass(k);
    const e = results.get(k) ?? { fps: [], cpuMs: [], faces: p.faces };
    e.fps.push(p.fps);
    e.cpuMs.push(p.cpuMs);
    results.set(k, e);
  }
  loads.push(load());
}
detector.dispose();
await Deno.remove(dir, { recursive: true });

const ref = results.get(1)!.faces;
const refFaces = ref.reduce((s, f) => s + f.length, 0);
console.log(
  `clip: 1280x720, ${frames} frames at 25 fps, from ${
    source === big ? "group_1920x1080.jpg" : "the fixture group photo"
  }; ${workers} workers; median of ${runs} runs; load average during the runs ${
    loads.join(", ")
  }\n`,
);
console.log(
  "| mode | frames/s | CPU ms per frame | faces found | recall of full detection's faces |",
);
console.log(
  "| ---- | -------- | ---------------- | ----------- | -------------------------------- |",
);
for (const [k, e] of results) {
  const n = e.faces.reduce((s, f) => s + f.length, 0);
  const name = k === 1 ? "full detection, every frame" : `--track-fast ${k}`;
  const rec = k === 1 ? "(reference)" : `${(100 * recall(ref, e.faces)).toFixed(1)}%`;
  console.log(
    `| ${name} | ${median(e.fps).toFixed(1)} | ${
      median(e.cpuMs).toFixed(0)
    } | ${n} of ${refFaces} | ${rec} |`,
  );
}
console.log(
  `\ndecoding, ms per frame: ffmpeg to /dev/null ${median(nullMs).toFixed(1)}, ` +
    `ffmpeg through the pipe into RGB frames ${median(pipeMs).toFixed(1)}`,
);
