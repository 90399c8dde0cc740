/**
 * Face tracking across video frames: each detected face gets a track id that stays the same
 * from frame to frame, SORT-style (Bewley et al. 2016, "Simple Online and Realtime Tracking").
 *
 * Each update:
 * 1. **Predict** every live track's box (centre, width, height) one frame ahead with constant
 *    velocity; a track that was not seen keeps its last size and moves on with a velocity that
 *    decays by `coast` per missed frame, and its predicted centre is kept inside the frame when the frame size is given.
 * 2. **Associate** tracks with the frame's detections by minimum total cost (the Hungarian
 *    method, `assignment.ts`): cost = (1 - IoU of predicted box and detection) + `landmarkWeight`
 *    x the mean distance between the track's landmarks carried to the predicted box and the
 *    detection's landmarks, in units of the predicted box's side (the centre distance when
 *    landmarks are absent) + 0.02 per missed frame (recently seen tracks win ties). A pair is
 *    allowed only when the sizes differ by at most `maxScaleChange` and either the IoU is at least
 *    `minIou` or the centres are closer than `maxDistance` box sides (this gate widens by
 *    `maxDistance / 4` per missed frame, up to 3 sides, so a face hidden for a while is found
 *    where it comes back).
 * 3. **Update** matched tracks (box = the detection; velocity smoothed exponentially with
 *    `velocitySmoothing`), start a new track with a new id for every unmatched detection, and
 *    end tracks missed for more than `maxMissed` frames.
 *
 * Ids are 1, 2, 3, ... in order of appearance and never reused, also after a track ends.
 *
 * @module
 */
import { type MtcnnError, mtcnnError } from "../errors.ts";
import type { BoxFormat, Face, Keypoints } from "../face.ts";
import type { Result } from "../result.ts";
import { KEYPOINT_NAMES } from "../face.ts";
import { iou } from "../nms.ts";
import { assignMinCost } from "./assignment.ts";

/** Tracker settings; each field says its default. */
export interface TrackerOptions {
  /** Frames a track is remembered without a detection before it ends (default 15). */
  readonly maxMissed?: number;
  /** IoU of predicted box and detection that always allows a match (default 0.2). */
  readonly minIou?: number;
  /** Centre distance, in predicted box sides, that allows a match below `minIou` (default 0.7). */
  readonly maxDistance?: number;
  /** Largest ratio between the predicted and the detected box side (default 1.6). */
  readonly maxScaleChange?: number;
  /** Weight of the landmark distance in the matching cost (default 1). */
  readonly landmarkWeight?: number;
  /** Weight of a new velocity measurement, in (0, 1] (default 0.5). */
  readonly velocitySmoothing?: number;
  /** Factor the velocity of an unseen track decays by per missed frame (default 0.7). */
  readonly coast?: number;
  /** Format of the faces' boxes (default `"xywh"`). */
  readonly boxFormat?: BoxFormat;
}

/** A box as centre and size: [cx, cy, w, h]. */
export type CentreBox = readonly [number, number, number, number];

/** One track: a face followed across frames. */
export interface Track {
  /** The id, unique over the tracker's life. */
  readonly id: number;
  /** The last detected box as [cx, cy, w, h]. */
  readonly box: CentreBox;
  /** Change of `box` per frame, smoothed. */
  readonly velocity: CentreBox;
  /** The last landmarks relative to `box`: ((x - cx) / s, (y - cy) / s), s = sqrt(w h). */
  readonly landmarks?: readonly number[];
  /** Frames the face was detected in. */
  readonly hits: number;
  /** Frames since it was last detected (0: detected in the last update). */
  readonly missed: number;
  /** Update number (0-based) of its first detection. */
  readonly firstFrame: number;
}

/** Everything a tracker knows; immutable, replaced by each update. */
export interface TrackerState {
  /** Live tracks (seen now or within `maxMissed` frames). */
  readonly tracks: readonly Track[];
  /** The next id to give. */
  readonly nextId: number;
  /** Updates so far. */
  readonly frame: number;
}

/** A face with its track id. */
export type TrackedFace = Face & { readonly track: number };

/** The result of one update. */
export interface TrackUpdate {
  /** The new state. */
  readonly state: TrackerState;
  /** The frame's faces in the order given, each with its track id. */
  readonly faces: readonly TrackedFace[];
}

/** Each numeric option's allowed range, inclusive. */
const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  maxMissed: [0, 1e6],
  minIou: [0, 1],
  maxDistance: [0, 100],
  maxScaleChange: [1, 100],
  landmarkWeight: [0, 100],
  velocitySmoothing: [1e-6, 1],
  coast: [0, 1],
};

/**
 * Checks tracker options: each number finite and in its range (`maxMissed` an integer >= 0,
 * `minIou` and `coast` in [0, 1], `velocitySmoothing` in (0, 1], `maxScaleChange` >= 1, the
 * others >= 0), `boxFormat` xywh or xyxy. An `OptionError` names the first bad one.
 *
 * @example
 * ```ts
 * import { checkTrackerOptions } from "./tracker.ts";
 * const r = checkTrackerOptions({ maxMissed: -1 });
 * console.log(r._tag); // "Left"
 * ```
 */
export const checkTrackerOptions = (
  options: TrackerOptions,
): Result<MtcnnError, TrackerOptions> => {
  for (const [name, [lo, hi]] of Object.entries(RANGES)) {
    const v = (options as Record<string, unknown>)[name];
    if (v === undefined) continue;
    const ok = typeof v === "number" && Number.isFinite(v) && v >= lo && v <= hi &&
      (name !== "maxMissed" || Number.isInteger(v));
    if (!ok) {
      return {
        _tag: "Left",
        left: mtcnnError(
          "OptionError",
          `tracker option ${name} must be ${
            name === "maxMissed" ? "an integer " : "a number "
          }from ${lo} to ${hi}, got ${String(v)}`,
        ),
      };
    }
  }
  const f = options.boxFormat;
  if (f !== undefined && f !== "xywh" && f !== "xyxy") {
    return {
      _tag: "Left",
      left: mtcnnError("OptionError", `tracker option boxFormat must be xywh or xyxy, got ${f}`),
    };
  }
  return { _tag: "Right", right: options };
};

/** The state before the first frame. */
export const INITIAL_TRACKER_STATE: TrackerState = { tracks: [], nextId: 1, frame: 0 };

const centreBox = (box: Face["box"], format: BoxFormat): CentreBox => {
  const [x, y, a, b] = box;
  const w = format === "xyxy" ? a - x : a, h = format === "xyxy" ? b - y : b;
  return [x + w / 2, y + h / 2, Math.max(w, 1e-6), Math.max(h, 1e-6)];
};

const corners = (b: CentreBox): [number, number, number, number] => [
  b[0] - b[2] / 2,
  b[1] - b[3] / 2,
  b[0] + b[2] / 2,
  b[1] + b[3] / 2,
];

const side = (b: CentreBox): number => Math.sqrt(b[2] * b[3]);

const relativeLandmarks = (k: Keypoints | undefined, b: CentreBox): number[] | undefined => {
  if (!k) return undefined;
  const s = side(b);
  return KEYPOINT_NAMES.flatMap((n) => [(k[n][0] - b[0]) / s, (k[n][1] - b[1]) / s]);
};

/** Where the track's box is expected in the coming frame. */
const predict = (
  t: Track,
  coast: number,
  frameSize?: { readonly width: number; readonly height: number },
): CentreBox => {
  // Frames since last seen = missed + 1: the first step at full velocity, then decayed ones.
  let k = 0;
  for (let i = 0, f = 1; i <= t.missed; i++, f *= coast) k += f;
  const [cx, cy, w, h] = t.box, v = t.velocity;
  // The size is extrapolated one frame only: boxes cut by the frame's border shrink as a face
  // leaves, and that shrinking must not carry on while it is unseen.
  const g = t.missed === 0 ? 1 : 0;
  const pw = Math.max(1, w + v[2] * g), ph = Math.max(1, h + v[3] * g);
  let px = cx + v[0] * k, py = cy + v[1] * k;
  // An unseen face is looked for where it left the frame, not beyond it.
  if (frameSize && t.missed > 0) {
    px = Math.min(Math.max(px, 0), frameSize.width);
    py = Math.min(Math.max(py, 0), frameSize.height);
  }
  return [px, py, pw, ph];
};

/**
 * Where each live track's face is expected in the coming frame, as [cx, cy, w, h], with its
 * track and how many frames it has been unseen: for looking for known faces only (a detector
 * that runs its later stages on these boxes instead of the whole frame).
 *
 * @example
 * ```ts
 * import { INITIAL_TRACKER_STATE, predictTracks, updateTracks } from "./tracker.ts";
 * const step = updateTracks();
 * const a = step(INITIAL_TRACKER_STATE, [{ box: [10, 10, 40, 40], confidence: 0.99 }]);
 * console.log(predictTracks(a.state)[0].box); // [30, 30, 40, 40]
 * ```
 */
export const predictTracks = (
  state: TrackerState,
  options: Pick<TrackerOptions, "coast"> = {},
  frameSize?: { readonly width: number; readonly height: number },
): { readonly track: number; readonly box: CentreBox; readonly missed: number }[] =>
  state.tracks.map((t) => ({
    track: t.id,
    box: predict(t, options.coast ?? 0.7, frameSize),
    missed: t.missed,
  }));

/**
 * One tracking step: the faces of the next frame in, the same faces with track ids and the new
 * state out. `frameSize` (optional) keeps predictions of unseen faces inside the frame.
 * Options are expected checked ({@linkcode checkTrackerOptions}, as `createTracker` does); here
 * a value out of its range is clamped to it.
 *
 * @example
 * ```ts
 * import { INITIAL_TRACKER_STATE, updateTracks } from "./tracker.ts";
 * const step = updateTracks();
 * const a = step(INITIAL_TRACKER_STATE, [{ box: [10, 10, 40, 40], confidence: 0.99 }]);
 * const b = step(a.state, [{ box: [14, 10, 40, 40], confidence: 0.98 }]);
 * console.log(a.faces[0].track, b.faces[0].track); // 1 1
 * ```
 */
export const updateTracks = (options: TrackerOptions = {}): (
  state: TrackerState,
  faces: readonly Face[],
  frameSize?: { readonly width: number; readonly height: number },
) => TrackUpdate => {
  const get = (name: keyof typeof RANGES & keyof TrackerOptions, dflt: number): number => {
    const v = options[name] as number | undefined;
    const [lo, hi] = RANGES[name];
    return v === undefined || !Number.isFinite(v) ? dflt : Math.min(hi, Math.max(lo, v));
  };
  const maxMissed = Math.floor(get("maxMissed", 15));
  const minIou = get("minIou", 0.2);
  const maxDistance = get("maxDistance", 0.7);
  const maxScale = get("maxScaleChange", 1.6);
  const lmWeight = get("landmarkWeight", 1);
  const alpha = get("velocitySmoothing", 0.5);
  const coast = get("coast", 0.7);
  const format = options.boxFormat ?? "xywh";
  return (state, faces, frameSize) => {
    const dets = faces.map((f) => centreBox(f.box, format));
    const detLm = faces.map((f, i) => relativeLandmarks(f.keypoints, dets[i]));
    const predicted = state.tracks.map((t) => predict(t, coast, frameSize));
    const cost = state.tracks.map((t, ti) => {
      const p = predicted[ti], s = side(p);
      const gate = Math.min(3, maxDistance * (1 + t.missed / 4));
      return dets.map((d, di) => {
        const scale = side(d) / s;
        if (scale > maxScale || scale < 1 / maxScale) return Infinity;
        const overlap = iou(corners(p), corners(d));
        const dist = Math.hypot(d[0] - p[0], d[1] - p[1]) / s;
        if (overlap < minIou && dist > gate) return Infinity;
        let shape = dist;
        const a = t.landmarks, b = detLm[di];
        if (a && b) {
          // Both landmark sets in pixels around their own boxes, compared in predicted sides.
          const ds = side(d);
          let sum = 0;
          for (let k = 0; k < 10; k += 2) {
            const ax = p[0] + a[k] * s, ay = p[1] + a[k + 1] * s;
            const bx = d[0] + b[k] * ds, by = d[1] + b[k + 1] * ds;
            sum += Math.hypot(ax - bx, ay - by);
          }
          shape = sum / 5 / s;
        }
        return 1 - overlap + lmWeight * shape + 0.02 * t.missed;
      });
    });
    const pairs = assignMinCost(cost);
    const trackOf = new Int32Array(dets.length).fill(-1);
    for (const [ti, di] of pairs) trackOf[di] = ti;
    const matched = new Set(pairs.map(([ti]) => ti));
    let nextId = state.nextId;
    const tracks: Track[] = [];
    const ids = new Array<number>(dets.length);
    for (const [ti, di] of pairs) {
      const t = state.tracks[ti], d = dets[di], dt = t.missed + 1;
      const measured = [0, 1, 2, 3].map((k) => (d[k] - t.box[k]) / dt);
      const a = t.hits === 1 ? 1 : alpha;
      const velocity = measured.map((m, k) => a * m + (1 - a) * t.velocity[k]);
      ids[di] = t.id;
      tracks.push({
        id: t.id,
        box: d,
        velocity: velocity as unknown as CentreBox,
        landmarks: detLm[di] ?? t.landmarks,
        hits: t.hits + 1,
        missed: 0,
        firstFrame: t.firstFrame,
      });
    }
    state.tracks.forEach((t, ti) => {
      if (!matched.has(ti) && t.missed + 1 <= maxMissed) {
        tracks.push({ ...t, missed: t.missed + 1 });
      }
    });
    dets.forEach((d, di) => {
      if (trackOf[di] >= 0) return;
      ids[di] = nextId;
      tracks.push({
        id: nextId++,
        box: d,
        velocity: [0, 0, 0, 0],
        landmarks: detLm[di],
        hits: 1,
        missed: 0,
        firstFrame: state.frame,
      });
    });
    tracks.sort((x, y) => x.id - y.id);
    return {
      state: { tracks, nextId, frame: state.frame + 1 },
      faces: faces.map((f, i) => ({ ...f, track: ids[i] })),
    };
  };
};
