/**
 * What flows through a cascade, phase by phase. Each phase is its own type, so a stage says in
 * its type what it needs and what it gives, and a cascade in the wrong order does not compile:
 *
 * `ImageState` (after load) -> `PyramidState` (pyramid) -> `CandidateState<"proposals">` (PNet)
 * -> `CropState<24>` (crop) -> `CandidateState<"refined">` (RNet) -> `CropState<48>` (crop)
 * -> `CandidateState<"faces">` (ONet).
 *
 * @module
 */
import type { SummedAreaTable } from "../lib/area_resample.ts";
import type { Candidates } from "../lib/candidates.ts";
import type { MtcnnError } from "../lib/errors.ts";
import type { RgbImage } from "../lib/image.ts";
import type { PyramidLevel } from "../lib/pyramid.ts";
import type { Result } from "../lib/result.ts";

/** Milliseconds spent per stage name. */
export type Timings = Readonly<Record<string, number>>;

/** How the image a cascade works on relates to the image as the user gave it. */
export interface SourceImage {
  /** Displayed width (after EXIF orientation), before any downscaling. */
  readonly width: number;
  /** Displayed height (after EXIF orientation), before any downscaling. */
  readonly height: number;
  /** Working width over displayed width: 1 unless the image was downscaled. */
  readonly scaleX: number;
  /** Working height over displayed height: 1 unless the image was downscaled. */
  readonly scaleY: number;
}

/** What every phase carries: the image, its summed-area table and the timings. */
export interface ImageData {
  /** The image the stages work on, packed RGB. */
  readonly image: RgbImage;
  /** Its summed-area table: every pyramid level and every crop is cut from it. */
  readonly sat: SummedAreaTable;
  /** The image as given (its displayed size, and the downscale factors). */
  readonly source: SourceImage;
  /** Milliseconds per stage name. */
  readonly timings: Timings;
}

/** After the load stage: an image, nothing found yet. */
export interface ImageState extends ImageData {
  /** Always `"image"`. */
  readonly phase: "image";
}

/** One pyramid level, with its normalized pixels once computed. */
export interface LevelImage extends PyramidLevel {
  /** height * width * 3 normalized values, row-major RGB; absent until a net computes them. */
  readonly data?: Float32Array;
}

/** After the pyramid stage: the levels PNet runs on. */
export interface PyramidState extends ImageData {
  /** Always `"pyramid"`. */
  readonly phase: "pyramid";
  /** The pyramid levels (scales and sizes). */
  readonly levels: readonly LevelImage[];
}

/**
 * Which stage gave a set of candidates: `proposals` (PNet: boxes not yet squared, many per
 * face), `refined` (RNet), `faces` (ONet or the landmark stage: one box per face, landmarks).
 */
export type CandidatePhase = "proposals" | "refined" | "faces";

/** After PNet, RNet or ONet: face candidates in image pixels. */
export interface CandidateState<P extends CandidatePhase = CandidatePhase> extends ImageData {
  /** The stage that gave the candidates. */
  readonly phase: P;
  /** The candidates. */
  readonly candidates: Candidates;
}

/** A batch of square crops of the current candidates, NHWC. */
export interface CropBatch<N extends number = number> {
  /** Side of each crop (24 for RNet, 48 for ONet). */
  readonly size: N;
  /** Number of crops; equal to the candidates' count. */
  readonly count: number;
  /** Per crop, the image rectangle it is cut from: x0, y0, width, height (0-based pixels). */
  readonly rects: Int32Array;
  /**
   * count * size * size * 3 normalized values, or absent: the net's runner cuts them from
   * `sat` where it runs (in this thread, or in each worker of a pool).
   */
  readonly data?: Float32Array;
  /** The image's summed-area table, which the crops are cut from. */
  readonly sat: SummedAreaTable;
}

/** After a crop stage: candidates and their `N` x `N` crops. */
export interface CropState<N extends number = number> extends ImageData {
  /** Always `"crops"`. */
  readonly phase: "crops";
  /** The candidates, their boxes squared as they were cut. */
  readonly candidates: Candidates;
  /** Their crops. */
  readonly crops: CropBatch<N>;
}

/** Any state a stage can take or give. */
export type AnyState = ImageState | PyramidState | CandidateState | CropState;

/**
 * A step of a cascade: a function from one phase to the next that resolves to a result, never
 * throws. Stages that need weights take a net first (`propose(nets.pnet)` is a Stage), and
 * their parameters second (`refine(nets.rnet, { threshold: 0.8 })`).
 */
export type Stage<A, B> = (state: A) => Promise<Result<MtcnnError, B>>;

/** Adds `ms` to the timing of `name`. */
export const addTiming = (timings: Timings, name: string, ms: number): Timings => ({
  ...timings,
  [name]: (timings[name] ?? 0) + ms,
});
