import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import type { Detector } from "../mod.ts";
import { ffmpegAvailable } from "../pipelines/edge/video_probe.ts";
import { openVideo } from "../pipelines/edge/video_reader.ts";
import { openVideoWriter } from "../pipelines/edge/video_writer.ts";
import { runCli } from "./_cli_process.ts";
import { makeDetector } from "./_shared.ts";
import { iou } from "../lib/nms.ts";
import { createTracker } from "../lib/track/create_tracker.ts";
import { createFrameDetector } from "../pipelines/frame_detector.ts";
import { trackVideo } from "../pipelines/track_video.ts";
import { loadImage } from "../stages.ts";
import {
  ASTRONAUT,
  type Clip,
  detectClip,
  GROUP,
  makeClips,
  runTracker,
  trackFigures,
  writeClip,
} from "./_video_clips.ts";

const HAS_FFMPEG = await ffmpegAvailable();
if (!HAS_FFMPEG) {
  console.warn(
    "video_test.ts: ffmpeg not found (Debian: apt-get install ffmpeg): video tests are skipped",
  );
}

/** `detect` with `args`, in a process of its own. */
const detectCli = (...args: string[]) => runCli("detect", ...args);

/** The zoom clip, without detecting the photos first (its ffmpeg arguments need the face only). */
const zoomClip = () =>
  makeClips([{ box: [336, 151, 56, 76], confidence: 1 }], {
    box: [181, 62, 88, 110],
    confidence: 1,
  }).find((c) => c.name === "zoom")!;

const probeFrames = async (path: string) => {
  const out = await new Deno.Command("ffprobe", {
    args: [
      "-v",
      "error",
      "-count_frames",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=nb_read_frames,width,height",
      "-of",
      "json",
      path,
    ],
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).streams[0] as {
    nb_read_frames: string;
    width: number;
    height: number;
  };
};

Deno.test({
  name: "video: faces of ffmpeg clips keep one track id each (pan, zoom, leave and return, " +
    "crossing), no id is reused, no tensor leaks",
  ignore: !HAS_FFMPEG,
  fn: async (t) => {
    const detector: Detector = await makeDetector();
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_video_test_" });
    try {
      const photo = async (p: string) => {
        const r = await detector.detect(p);
        if (r._tag === "Left") throw new Error(r.left.message);
        return r.right.faces;
      };
      const group = await photo(GROUP), astronaut = await photo(ASTRONAUT);
      assertEquals(group.length, 6);
      const clips = makeClips(group, astronaut[0]);
      const before = tf.memory().numTensors;
      const run = async (clip: Clip) => {
        const detections = await detectClip(await writeClip(clip, dir), detector);
        assertEquals(detections.length, clip.frames);
        return detections;
      };
      const check = (clip: Clip, tracked: Parameters<typeof trackFigures>[1]) => {
        const f = trackFigures(clip, tracked);
        // The faces were found (so that the id figures mean something) ...
        assert(f.matched >= 0.7 * f.visible, `${clip.name}: ${f.matched} of ${f.visible}`);
        // ... and each kept one id, its own.
        assertEquals([f.switches, f.fragments, f.reused], [0, 0, 0], JSON.stringify(f.ids));
        return f;
      };
      for (const name of ["pan", "zoom"]) {
        await t.step(name, async () => {
          const clip = clips.find((c) => c.name === name)!;
          const f = check(clip, runTracker(await run(clip), { maxMissed: 25 }));
          assert(Object.keys(f.ids).length >= (name === "pan" ? 3 : 1), JSON.stringify(f.ids));
        });
      }
      await t.step("leave and return: same id within the memory, a new one after it", async () => {
        const clip = clips.find((c) => c.name === "leave-return")!;
        const detections = await run(clip);
        // The face is really gone for a while: frames without it between frames with it.
        const seen = detections.map((d) => d.faces.length > 0);
        const gap = seen.lastIndexOf(true) - seen.indexOf(true) + 1 - seen.filter(Boolean).length;
        assert(gap >= 4, `gap of ${gap} frames`);
        check(clip, runTracker(detections, { maxMissed: 25 }));
        // With a memory shorter than the gap the face comes back as a new track, never an old id.
        const short = trackFigures(clip, runTracker(detections, { maxMissed: gap - 2 }));
        assertEquals(short.ids.astronaut.length, 2);
        assertEquals(short.reused, 0);
      });
      await t.step("crossing: two faces pass, one hidden behind the other", async () => {
        const clip = clips.find((c) => c.name === "crossing")!;
        const f = check(clip, runTracker(await run(clip), { maxMissed: 25 }));
        assert(f.matched < f.visible, "one face is hidden in some frames");
        assert(f.ids.astronaut[0] !== f.ids.group[0]);
      });
      assertEquals(tf.memory().numTensors, before);
    } finally {
      detector.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "openVideo() selects frames with every / fps / start / duration, pixel-equal to all frames",
  ignore: !HAS_FFMPEG,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_video_test_" });
    try {
      const path = await writeClip(zoomClip(), dir);
      const all = async (o: Parameters<typeof openVideo>[1]) => {
        const v = await openVideo(path, o)();
        if (v._tag === "Left") throw new Error(v.left.message);
        const out = [];
        for (let f = await v.right.next(); f; f = await v.right.next()) out.push(f);
        assertEquals((await v.right.finish())._tag, "Right");
        return out;
      };
      const full = await all({});
      assertEquals(full.length, 30);
      assertEquals([full[0].image.width, full[0].image.height], [320, 240]);
      assertEquals(full.map((f) => f.frame), [...Array(30).keys()]);
      const every = await all({ every: 5 });
      assertEquals(every.map((f) => f.frame), [0, 5, 10, 15, 20, 25]);
      assertEquals(every.map((f) => f.time), [0, 0.2, 0.4, 0.6, 0.8, 1]);
      for (const f of every) {
        assert(equalBytes(f.image.data, full[f.frame].image.data), `${f.frame}`);
      }
      const part = await all({ start: 0.4, duration: 0.4 });
      assertEquals(part.map((f) => f.frame), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      assert(equalBytes(part[3].image.data, full[13].image.data));
      const fps = await all({ fps: 5 });
      assertEquals(fps.length, 6);
      assertEquals(fps.map((f) => f.time), [0, 0.2, 0.4, 0.6, 0.8, 1]);
      // Frames differ from one another (a zoom), so the equalities above mean something.
      assert(!equalBytes(full[0].image.data, full[5].image.data));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const equalBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

Deno.test({
  name: "openVideo() names the file that is not a video, and says to install ffmpeg when missing",
  ignore: !HAS_FFMPEG,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_video_test_" });
    try {
      await Deno.writeTextFile(`${dir}/notes.mp4`, "not a video at all\n".repeat(100));
      const bad = await openVideo(`${dir}/notes.mp4`)();
      assert(bad._tag === "Left" && bad.left._tag === "DecodeError", JSON.stringify(bad));
      assert(bad.left.message.startsWith(`${dir}/notes.mp4: not a video`), bad.left.message);
      const missing = await openVideo(`${dir}/nothing.mp4`)();
      assert(missing._tag === "Left" && missing.left._tag === "IoError");
      assert(missing.left.message.includes("nothing.mp4"), missing.left.message);
      const noFfmpeg = await openVideo(`${dir}/notes.mp4`, { ffmpeg: `${dir}/bin/ffmpeg` })();
      assert(noFfmpeg._tag === "Left" && noFfmpeg.left._tag === "IoError");
      assert(noFfmpeg.left.message.includes("apt-get install ffmpeg"), noFfmpeg.left.message);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "openVideoWriter() writes an MP4 ffprobe reads back, atomically; abort leaves no file",
  ignore: !HAS_FFMPEG,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_video_test_" });
    try {
      const frame = (k: number) => ({
        width: 33,
        height: 20,
        data: new Uint8Array(33 * 20 * 3).fill(20 * k),
      });
      const w = openVideoWriter(`${dir}/a.mp4`, { width: 33, height: 20, fps: 10 });
      assert(w._tag === "Right");
      for (let k = 0; k < 7; k++) assertEquals((await w.right.write(frame(k)))._tag, "Right");
      // Nothing at the target before the end.
      assertEquals([...Deno.readDirSync(dir)].filter((e) => e.name === "a.mp4").length, 0);
      const wrong = await w.right.write({ width: 2, height: 2, data: new Uint8Array(12) });
      assert(wrong._tag === "Left" && wrong.left._tag === "InputError");
      assertEquals((await w.right.finish())._tag, "Right");
      const s = await probeFrames(`${dir}/a.mp4`);
      assertEquals([s.nb_read_frames, s.width, s.height], ["7", 34, 20]);
      const b = openVideoWriter(`${dir}/b.mp4`, { width: 8, height: 8, fps: 10 });
      assert(b._tag === "Right");
      await b.right.write({ width: 8, height: 8, data: new Uint8Array(192) });
      await b.right.abort();
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["a.mp4"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "detect VIDEO prints one NDJSON line per processed frame with track ids, writes the " +
    "annotated video and one crop per track, and goes on past a file that is not a video",
  ignore: !HAS_FFMPEG,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_video_cli_" });
    try {
      const path = await writeClip(zoomClip(), dir);
      await Deno.writeTextFile(`${dir}/junk.mp4`, "junk\n".repeat(50));
      const r = await detectCli(
        `${dir}/junk.mp4`,
        path,
        "--every",
        "3",
        "--workers",
        "0",
        "--out",
        `${dir}/out`,
        "--crops",
        `${dir}/crops`,
      );
      assertEquals(r.code, 1, r.stderr);
      const errors = r.stderr.trim().split("\n");
      assertEquals(errors.length, 1, r.stderr);
      assert(errors[0].startsWith(`error: ${dir}/junk.mp4: not a video`), errors[0]);
      const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assertEquals(lines.length, 10);
      assertEquals(lines.map((l) => l.frame), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
      for (const l of lines) {
        assertEquals(Object.keys(l), ["image", "frame", "time", "width", "height", "faces"]);
        assertEquals([l.image, l.width, l.height, l.time], [path, 320, 240, l.frame / 25]);
        assertEquals(l.faces.length, 1);
        assertEquals(Object.keys(l.faces[0]), ["box", "confidence", "keypoints", "track"]);
      }
      assertEquals(new Set(lines.map((l) => l.faces[0].track)), new Set([1]));
      const s = await probeFrames(`${dir}/out/zoom.mp4`);
      assertEquals([s.nb_read_frames, s.width, s.height], ["10", 320, 240]);
      assertEquals([...Deno.readDirSync(`${dir}/out`)].map((e) => e.name), ["zoom.mp4"]);
      assertEquals([...Deno.readDirSync(`${dir}/crops`)].map((e) => e.name), [
        "zoom_track1.png",
      ]);
      // A second run does not replace them without --overwrite.
      const before = await Deno.readFile(`${dir}/out/zoom.mp4`);
      const again = await detectCli(path, "--every", "3", "--workers", "0", "--out", `${dir}/out`);
      assertEquals(again.code, 1);
      assert(again.stderr.includes("zoom.mp4 exists: not replaced without --overwrite"));
      assert(equalBytes(await Deno.readFile(`${dir}/out/zoom.mp4`), before));
      // Usage errors: exit 2 with one line, before any work.
      for (
        const [args, start] of [
          [["--every", "0", path], "error: --every must be an integer >= 1"],
          [["--every", "2", "--fps", "5", path], "error: give --every or --fps"],
          [["x.jpg", path], "error: x.jpg is not a video file name"],
        ] as const
      ) {
        const u = await detectCli(...args);
        assertEquals(u.code, 2, u.stderr);
        assert(u.stderr.startsWith(start) && u.stderr.trim().split("\n").length === 1, u.stderr);
      }
      const noFfmpeg = await detectCli(path, "--workers", "0", "--ffmpeg", `${dir}/none/ffmpeg`);
      assertEquals(noFfmpeg.code, 1);
      assert(noFfmpeg.stderr.includes("not found: video needs ffmpeg"), noFfmpeg.stderr);
      assertEquals(noFfmpeg.stdout, "");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "trackVideo() with trackFast 5 finds the tracked faces between full detections, same ids",
  ignore: !HAS_FFMPEG,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_video_test_" });
    const fd = await createFrameDetector({ workers: 0 });
    if (fd._tag === "Left") throw new Error(fd.left.message);
    const detector = fd.right;
    try {
      const photo = async (p: string) => {
        const r = await detector.detect(await loadRgb(p));
        if (r._tag === "Left") throw new Error(r.left.message);
        return r.right.faces;
      };
      const clip = makeClips(await photo(GROUP), (await photo(ASTRONAUT))[0])
        .find((c) => c.name === "crossing")!;
      const path = await writeClip(clip, dir);
      const before = tf.memory().numTensors;
      const frames = async (trackFast: number) => {
        const v = await openVideo(path)();
        if (v._tag === "Left") throw new Error(v.left.message);
        const out = [];
        for await (
          const r of trackVideo(v.right, detector, newTracker({ maxMissed: 25 }), { trackFast })
        ) {
          if (r._tag === "Left") throw new Error(r.left.message);
          out.push({ frame: r.right.frame.frame, faces: r.right.faces, full: r.right.full });
        }
        assertEquals((await v.right.finish())._tag, "Right");
        return out;
      };
      const full = await frames(1), fast = await frames(5);
      assertEquals(fast.map((f) => f.full), full.map((_, i) => i % 5 === 0));
      const a = trackFigures(clip, full), b = trackFigures(clip, fast);
      assertEquals([b.switches, b.fragments, b.reused], [0, 0, 0], JSON.stringify(b.ids));
      // Between full detections the faces are found again (not only on every 5th frame).
      assert(b.matched >= 0.9 * a.matched, `${b.matched} of ${a.matched}`);
      // Where both found a face, the boxes agree.
      for (const [i, f] of fast.entries()) {
        for (const face of f.faces) {
          const best = Math.max(0, ...full[i].faces.map((g) => iouXywh(g.box, face.box)));
          assert(best > 0.6, `frame ${i}: IoU ${best}`);
        }
      }
      assertEquals(tf.memory().numTensors, before);
    } finally {
      detector.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const newTracker = (o: Parameters<typeof createTracker>[0]) => {
  const t = createTracker(o);
  if (t._tag === "Left") throw new Error(t.left.message);
  return t.right;
};

const loadRgb = async (p: string) => {
  const r = await loadImage(p);
  if (r._tag === "Left") throw new Error(r.left.message);
  return r.right;
};

const iouXywh = (a: readonly number[], b: readonly number[]) =>
  iou([a[0], a[1], a[0] + a[2], a[1] + a[3]], [b[0], b[1], b[0] + b[2], b[1] + b[3]]);
