/**
 * Test clips made with ffmpeg from the fixture photos, with where each face truly is in every
 * frame, and the tracking figures against that truth (id switches, fragmented tracks, ids
 * reused). Shared by tests/video_test.ts and bench/video_tracks.ts.
 */
import { fileURLToPath } from "node:url";
import type { Face } from "../lib/face.ts";
import type { TrackedFace, TrackerOptions } from "../lib/track/tracker.ts";
import { createTracker } from "../lib/track/create_tracker.ts";
import type { Detector } from "../mod.ts";
import { openVideo } from "../pipelines/edge/video_reader.ts";

/** The fixture photos. */
export const ASTRONAUT: string = fileURLToPath(
  new URL("../fixtures/faces/astronaut_512x512.jpg", import.meta.url),
);
/** The group photo (6 faces). */
export const GROUP: string = fileURLToPath(
  new URL("../fixtures/faces/group_640x480.jpg", import.meta.url),
);

/** A face's centre in a frame, by a name of the true face. */
export interface TrueFace {
  /** Which face. */
  readonly name: string;
  /** Centre x in the frame. */
  readonly cx: number;
  /** Centre y in the frame. */
  readonly cy: number;
  /** Face side in pixels (for the matching distance). */
  readonly side: number;
}

/** A clip: how ffmpeg makes it and where the faces are in frame n. */
export interface Clip {
  readonly name: string;
  readonly frames: number;
  /** ffmpeg arguments after `-v error -y`, before the output file. */
  readonly args: readonly string[];
  readonly truth: (n: number) => readonly TrueFace[];
}

const centre = (f: Face) => [f.box[0] + f.box[2] / 2, f.box[1] + f.box[3] / 2] as const;
const sideOf = (f: Face) => Math.sqrt(f.box[2] * f.box[3]);

const W = 320, H = 240, FPS = 25;
const common = [
  "-r",
  String(FPS),
  "-pix_fmt",
  "yuv420p",
  "-c:v",
  "libx264",
  "-preset",
  "ultrafast",
];

/** The frames' size and rate of every clip. */
export const CLIP_SIZE = { width: W, height: H, fps: FPS } as const;

/**
 * The clips, given the faces detected in the two photos (the truth is carried from there by
 * the known geometry of each clip).
 */
export const makeClips = (group: readonly Face[], astronaut: Face): Clip[] => {
  const frames = 30;
  // 1. Pan: a 320x240 window moving right and down over the group photo.
  const px = (n: number) => 10 + 8 * n, py = (n: number) => 100 + 2 * n;
  const pan: Clip = {
    name: "pan",
    frames,
    args: [
      "-loop",
      "1",
      "-i",
      GROUP,
      "-vf",
      `crop=${W}:${H}:x='10+8*n':y='100+2*n'`,
      "-frames:v",
      String(frames),
      ...common,
    ],
    truth: (n) =>
      group.map((f, i) => {
        const [cx, cy] = centre(f);
        return { name: `g${i}`, cx: cx - px(n), cy: cy - py(n), side: sideOf(f) };
      }),
  };
  // 2. Zoom: into the astronaut's face, 3% per frame (zoompan, centred on the face).
  const [ax, ay] = centre(astronaut);
  const zoom = (n: number) => 1 + 0.03 * n;
  // zoompan shows a window of (iw/z) x (ih/z) at (x, y), scaled to 320x240.
  const zx = (n: number) => ax - 512 / zoom(n) / 2, zy = (n: number) => ay - 512 / zoom(n) / 2;
  const zoomClip: Clip = {
    name: "zoom",
    frames,
    args: [
      "-i",
      ASTRONAUT,
      "-vf",
      `zoompan=z='1+0.03*on':x='${ax}-iw/zoom/2':y='${ay}-ih/zoom/2':d=${frames}:s=${W}x${H}:fps=${FPS}`,
      "-frames:v",
      String(frames),
      ...common,
    ],
    truth: (n) => {
      const sx = W / (512 / zoom(n)), sy = H / (512 / zoom(n));
      return [{
        name: "astronaut",
        cx: (ax - Math.max(0, zx(n))) * sx,
        cy: (ay - Math.max(0, zy(n))) * sy,
        side: sideOf(astronaut) * Math.sqrt(sx * sy),
      }];
    },
  };
  // Sprites: the astronaut's face and one face of the group, cut out with some margin.
  const aCut = { x: Math.round(ax - 70), y: Math.round(ay - 85), w: 140, h: 170, s: 0.6 };
  // The group face nearest to (364, 189): a face of the photo's middle row.
  const near = (f: Face) => Math.hypot(centre(f)[0] - 364, centre(f)[1] - 189);
  const g = group.reduce((a, b) => (near(a) <= near(b) ? a : b));
  const [gx, gy] = centre(g);
  const gCut = { x: Math.round(gx - 45), y: Math.round(gy - 55), w: 90, h: 110, s: 1 };
  const spriteFilter = (c: typeof aCut, input: number, label: string) =>
    `[${input}:v]crop=${c.w}:${c.h}:${c.x}:${c.y},scale=${Math.round(c.w * c.s)}:${
      Math.round(c.h * c.s)
    }[${label}]`;
  const sprite = (c: typeof aCut, cx: number, cy: number) => ({
    // centre of the face inside the scaled sprite
    fx: (cx - c.x) * c.s,
    fy: (cy - c.y) * c.s,
  });
  const aIn = sprite(aCut, ax, ay), gIn = sprite(gCut, gx, gy);
  const background = ["-f", "lavfi", "-i", `color=c=0x808890:s=${W}x${H}:r=${FPS}`];
  // 3. Leave and return: the astronaut walks right out of the frame, is gone ~0.4 s, comes back.
  const lx = (n: number) => 100 + 12 * Math.min(n, 36 - n);
  const leave: Clip = {
    name: "leave-return",
    frames: 36,
    args: [
      ...background,
      "-i",
      ASTRONAUT,
      "-filter_complex",
      `${spriteFilter(aCut, 1, "a")};[0:v][a]overlay=x='100+12*min(t*25\\,36-t*25)':y=60`,
      "-frames:v",
      "36",
      ...common,
    ],
    truth: (n) => [{
      name: "astronaut",
      cx: lx(n) + aIn.fx,
      cy: 60 + aIn.fy,
      side: sideOf(astronaut) * aCut.s,
    }],
  };
  // 4. Crossing: the astronaut walks right behind the group face walking left.
  const cxA = (n: number) => 10 + 7 * n, cxB = (n: number) => 220 - 7 * n;
  const crossing: Clip = {
    name: "crossing",
    frames: 32,
    args: [
      ...background,
      "-i",
      ASTRONAUT,
      "-i",
      GROUP,
      "-filter_complex",
      `${spriteFilter(aCut, 1, "a")};${spriteFilter(gCut, 2, "g")};` +
      `[0:v][a]overlay=x='10+7*t*25':y=50[t];[t][g]overlay=x='220-7*t*25':y=70`,
      "-frames:v",
      "32",
      ...common,
    ],
    truth: (n) => [
      { name: "astronaut", cx: cxA(n) + aIn.fx, cy: 50 + aIn.fy, side: sideOf(astronaut) * aCut.s },
      { name: "group", cx: cxB(n) + gIn.fx, cy: 70 + gIn.fy, side: sideOf(g) },
    ],
  };
  return [pan, zoomClip, leave, crossing];
};

/** Makes `clip` as an .mp4 in `dir` with ffmpeg; returns its path. */
export const writeClip = async (clip: Clip, dir: string): Promise<string> => {
  const path = `${dir}/${clip.name}.mp4`;
  const out = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-y", ...clip.args, path],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`ffmpeg: ${new TextDecoder().decode(out.stderr)}`);
  return path;
};

/** Tracking figures of a clip against its truth. */
export interface TrackFigures {
  /** Detections matched to a true face. */
  readonly matched: number;
  /** True faces visible (centre inside the frame) summed over frames. */
  readonly visible: number;
  /** Times a true face's id changed from its previous matched id. */
  readonly switches: number;
  /** Distinct ids per true face minus one, summed. */
  readonly fragments: number;
  /** Ids matched to more than one true face. */
  readonly reused: number;
  /** Per true face, its ids in order of appearance. */
  readonly ids: Readonly<Record<string, readonly number[]>>;
}

/**
 * Matches each frame's tracked faces to the true faces (nearest centre within half a face side,
 * one to one) and counts id switches, fragments and ids reused.
 */
export const trackFigures = (
  clip: Clip,
  frames: readonly { readonly frame: number; readonly faces: readonly TrackedFace[] }[],
): TrackFigures => {
  let matched = 0, visible = 0, switches = 0;
  const last = new Map<string, number>();
  const ids: Record<string, number[]> = {};
  const owners = new Map<number, Set<string>>();
  for (const { frame, faces } of frames) {
    const truth = clip.truth(frame);
    visible += truth.filter((t) => t.cx >= 0 && t.cx < W && t.cy >= 0 && t.cy < H).length;
    const pairs: [number, number, number][] = [];
    truth.forEach((t, ti) =>
      faces.forEach((f, fi) => {
        const [cx, cy] = centre(f);
        const d = Math.hypot(cx - t.cx, cy - t.cy);
        if (d < 0.5 * t.side) pairs.push([d, ti, fi]);
      })
    );
    pairs.sort((a, b) => a[0] - b[0]);
    const usedT = new Set<number>(), usedF = new Set<number>();
    for (const [, ti, fi] of pairs) {
      if (usedT.has(ti) || usedF.has(fi)) continue;
      usedT.add(ti);
      usedF.add(fi);
      matched++;
      const name = truth[ti].name, id = faces[fi].track;
      const prev = last.get(name);
      if (prev !== undefined && prev !== id) switches++;
      last.set(name, id);
      const list = ids[name] ??= [];
      if (!list.includes(id)) list.push(id);
      if (!owners.has(id)) owners.set(id, new Set());
      owners.get(id)!.add(name);
    }
  }
  const fragments = Object.values(ids).reduce((s, l) => s + l.length - 1, 0);
  const reused = [...owners.values()].filter((s) => s.size > 1).length;
  return { matched, visible, switches, fragments, reused, ids };
};

/** Decodes `path` with ffmpeg and detects the faces of every frame. */
export const detectClip = async (
  path: string,
  detector: Detector,
): Promise<{ frame: number; faces: Face[] }[]> => {
  const v = await openVideo(path)();
  if (v._tag === "Left") throw new Error(v.left.message);
  const detections: { frame: number; faces: Face[] }[] = [];
  for (let f = await v.right.next(); f; f = await v.right.next()) {
    const r = await detector.detect(f.image);
    if (r._tag === "Left") throw new Error(r.left.message);
    detections.push({ frame: f.frame, faces: [...r.right.faces] });
  }
  const end = await v.right.finish();
  if (end._tag === "Left") throw new Error(end.left.message);
  return detections;
};

/** Runs a tracker over per-frame detections. */
export const runTracker = (
  detections: readonly { frame: number; faces: readonly Face[] }[],
  options: TrackerOptions,
): { frame: number; faces: readonly TrackedFace[] }[] => {
  const t = createTracker(options);
  if (t._tag === "Left") throw new Error(t.left.message);
  return detections.map((d) => ({ frame: d.frame, faces: t.right.update(d.faces, CLIP_SIZE) }));
};
