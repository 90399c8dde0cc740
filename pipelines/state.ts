/**
 * What flows through a cascade: the image, its summed-area table, the pyramid, the current
 * candidates and crops. Stages take a state and return a new one.
 *
 * @module
 */
import type { SummedAreaTable } from "../lib/area_resample.ts";
import type { Candidates } from "../lib/candidates.ts";
import type { MtcnnError } from "../lib/errors.ts";
import type { RgbImage } from "../lib/image.ts";
import type { PyramidLevel } from "../lib/pyramid.ts";
import type { TaskResult } from "../lib/result.ts";
import type { ResolvedOptions } from "./options.ts";

/** One pyramid level, with its normalized pixels once computed. */
export interface LevelImage extends PyramidLevel {
  /** height * width * 3 normalized values, row-major RGB; absent in a pyramid plan. */
  readonly data?: Float32Array;
}

/** A batch of square crops of the current candidates, normalized, NHWC. */
export interface CropBatch {
  /** Side of each crop (24 for RNet, 48 for ONet). */
  readonly size: number;
  /** Number of crops; equal to the candidates' count. */
  readonly count: number;
  /** Per crop, the image rectangle it is cut from: x0, y0, width, height (0-based pixels). */
  readonly rects: Int32Array;
  /**
   * count * size * size * 3 normalized values. Absent when the crops are to be cut where the
   * net runs (a worker pool's workers), from `sat`: {@linkcode cropPixels} gives them.
   */
  readonly data?: Float32Array;
  /** The image's summed-area table, which the crops are cut from. */
  readonly sat: SummedAreaTable;
}

/** The state of a cascade between two stages. */
export interface CascadeState {
  /** The input image, RGB. */
  readonly image: RgbImage;
  /** Its summed-area table, for the pyramid and the crops. */
  readonly sat: SummedAreaTable;
  /** The cascade's options, every default filled in. */
  readonly options: ResolvedOptions;
  /** Pyramid levels, once the pyramid stage has run. */
  readonly levels: readonly LevelImage[];
  /** The current face candidates. */
  readonly candidates: Candidates;
  /** Crops of the current candidates, once a crop stage has run. */
  readonly crops?: CropBatch;
  /** Milliseconds spent per stage name. */
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * A step of a cascade: a typed, asynchronous, failure-aware function of the state. Stages that
 * need weights take them first (`propose(pnetTensors)` is a Stage).
 */
export type Stage = (state: CascadeState) => TaskResult<MtcnnError, CascadeState>;

/** Adds `ms` to the state's timing of `name`. */
export const addTiming = (
  timings: Readonly<Record<string, number>>,
  name: string,
  ms: number,
): Readonly<Record<string, number>> => ({ ...timings, [name]: (timings[name] ?? 0) + ms });
