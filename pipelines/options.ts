/**
 * Detection options, their documented defaults, and their validation.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { type MtcnnError, mtcnnError } from "../lib/errors.ts";
import type { BoxFormat } from "../lib/face.ts";
import type { Result } from "../lib/result.ts";
import { isRotation } from "../lib/rotation.ts";

/** How crops treat the part of a candidate box outside the image. */
export type CropPadding =
  /** Outside pixels are mid grey (zero after normalization), as the paper's code does. */
  | "zeros"
  /** The box is clamped to the image first, as facenet-pytorch does. */
  | "clamp";

/**
 * Named settings: `default` is the reference MTCNN; `accurate` trades speed for recall on small
 * and hard faces (smaller minimum face with an upscaled pyramid, lower thresholds, flip
 * test-time augmentation) and uses the refined landmarks. Explicit options override a preset's
 * values.
 */
export type Preset = "default" | "accurate";

/** Options of a detection cascade. Every field is optional; the defaults are listed. */
export interface DetectOptions {
  /** Named settings to start from. Default `default`. */
  readonly preset?: Preset;
  /** Also detect on the mirror image and merge (test-time augmentation). Default false. */
  readonly flip?: boolean;
  /**
   * Landmarks of the ONet cascade: `onet`, ONet's own, or `refined`, the landmark stage (a second
   * ONet pass on zero-padded 48x48 crops of the final boxes, `refineLandmarks`): better
   * landmarks, the same boxes and faces. Default `onet` (`refined` in the `accurate` preset).
   */
  readonly landmarks?: "onet" | "refined";
  /**
   * Clockwise turns of the image (any of 0, 90, 180, 270, each at most once) to detect on; the
   * faces of every turn are mapped back to the image and merged, and each says its `rotation`.
   * Default [0]: the image as it is, and faces without `rotation`.
   */
  readonly rotations?: readonly (0 | 90 | 180 | 270)[];
  /** Smallest face side in pixels that the pyramid looks for. Default 20. */
  readonly minFaceSize?: number;
  /** Ratio between pyramid levels, in (0, 1). Default 0.709 (the paper's). */
  readonly scaleFactor?: number;
  /** Face probability thresholds of PNet, RNet, ONet. Default [0.6, 0.7, 0.7]. */
  readonly thresholds?: readonly [number, number, number];
  /** IoU NMS threshold within one pyramid level. Default 0.5. */
  readonly nmsPerScale?: number;
  /** IoU NMS threshold over all pyramid levels. Default 0.7. */
  readonly nmsAcrossScales?: number;
  /** IoU NMS threshold after RNet. Default 0.7. */
  readonly nmsRefine?: number;
  /** Intersection-over-smaller NMS threshold after ONet. Default 0.7. */
  readonly nmsOutput?: number;
  /** Box format of the results. Default `xywh`. */
  readonly boxFormat?: BoxFormat;
  /** Clip boxes (not landmarks) to the image. Default true. */
  readonly clip?: boolean;
  /** Crop padding for RNet and ONet. Default `clamp` (the parity reference's). */
  readonly cropPadding?: CropPadding;
  /** Largest image accepted, in pixels; larger is an InputError. Default 100 megapixels. */
  readonly maxPixels?: number;
  /**
   * Area-downscale images over `maxPixels` to fit instead of refusing them; the faces are
   * given in the full-size image's coordinates. Default false.
   */
  readonly downscaleLargeImages?: boolean;
}

/** Options with every default filled in. */
export type ResolvedOptions = {
  readonly [K in keyof DetectOptions]-?: NonNullable<DetectOptions[K]>;
};

/**
 * The defaults.
 *
 * @example
 * ```ts
 * import { DEFAULT_OPTIONS } from "@mtcnn/mtcnn";
 * console.log(DEFAULT_OPTIONS.thresholds); // [0.6, 0.7, 0.7]
 * ```
 */
export const DEFAULT_OPTIONS: Readonly<Required<DetectOptions>> = {
  preset: "default",
  flip: false,
  landmarks: "onet",
  rotations: [0],
  minFaceSize: 20,
  scaleFactor: 0.709,
  thresholds: [0.6, 0.7, 0.7],
  nmsPerScale: 0.5,
  nmsAcrossScales: 0.7,
  nmsRefine: 0.7,
  nmsOutput: 0.7,
  boxFormat: "xywh",
  clip: true,
  cropPadding: "clamp",
  maxPixels: 100_000_000,
  downscaleLargeImages: false,
};

/**
 * What each preset changes from the defaults. `accurate` was tuned on `wider_val_416` only
 * (docs/accuracy.md has its AP and speed).
 *
 * @example
 * ```ts
 * import { PRESETS } from "@mtcnn/mtcnn";
 * console.log(PRESETS.accurate.minFaceSize); // 10
 * ```
 */
export const PRESETS: Readonly<Record<Preset, DetectOptions>> = {
  default: {},
  accurate: { minFaceSize: 10, thresholds: [0.5, 0.6, 0.6], flip: true, landmarks: "refined" },
};

const bad = (msg: string): Result<MtcnnError, ResolvedOptions> =>
  E.left(mtcnnError("OptionError", msg));

const inUnit = (x: unknown): boolean => typeof x === "number" && x >= 0 && x <= 1;

/**
 * Fills in defaults and checks every value; an OptionError names the option at fault.
 *
 * @example
 * ```ts
 * import { resolveOptions } from "@mtcnn/mtcnn/stages";
 * const r = resolveOptions({ minFaceSize: 40 });
 * if (r._tag === "Right") console.log(r.right.minFaceSize, r.right.scaleFactor); // 40 0.709
 * ```
 */
export const resolveOptions = (o: DetectOptions = {}): Result<MtcnnError, ResolvedOptions> => {
  const given = stripUndefined(o);
  if (given.preset !== undefined && !(given.preset in PRESETS)) {
    return bad(`preset must be "default" or "accurate", got ${JSON.stringify(given.preset)}`);
  }
  const r: ResolvedOptions = {
    ...DEFAULT_OPTIONS,
    ...PRESETS[given.preset ?? "default"],
    ...given,
  };
  if (!(Number.isFinite(r.minFaceSize) && r.minFaceSize >= 1)) {
    return bad(`minFaceSize must be a number >= 1, got ${r.minFaceSize}`);
  }
  if (!(Number.isFinite(r.scaleFactor) && r.scaleFactor > 0.1 && r.scaleFactor < 0.99)) {
    return bad(`scaleFactor must be in (0.1, 0.99), got ${r.scaleFactor}`);
  }
  if (!Array.isArray(r.thresholds) || r.thresholds.length !== 3 || !r.thresholds.every(inUnit)) {
    return bad(`thresholds must be three numbers in [0, 1], got ${JSON.stringify(r.thresholds)}`);
  }
  for (const k of ["nmsPerScale", "nmsAcrossScales", "nmsRefine", "nmsOutput"] as const) {
    if (!inUnit(r[k])) return bad(`${k} must be in [0, 1], got ${r[k]}`);
  }
  if (r.boxFormat !== "xywh" && r.boxFormat !== "xyxy") {
    return bad(`boxFormat must be "xywh" or "xyxy", got ${JSON.stringify(r.boxFormat)}`);
  }
  if (r.cropPadding !== "zeros" && r.cropPadding !== "clamp") {
    return bad(`cropPadding must be "zeros" or "clamp", got ${JSON.stringify(r.cropPadding)}`);
  }
  if (!(r.maxPixels >= 1)) return bad(`maxPixels must be >= 1, got ${r.maxPixels}`);
  if (r.landmarks !== "onet" && r.landmarks !== "refined") {
    return bad(`landmarks must be "onet" or "refined", got ${JSON.stringify(r.landmarks)}`);
  }
  const turns = r.rotations;
  if (
    !Array.isArray(turns) || turns.length === 0 || !turns.every(isRotation) ||
    new Set(turns).size !== turns.length
  ) {
    return bad(
      `rotations must list some of 0, 90, 180, 270 (each once), got ${JSON.stringify(turns)}`,
    );
  }
  return E.right(r);
};

const stripUndefined = (o: DetectOptions): DetectOptions =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as DetectOptions;
