/**
 * The three networks as stages use them: something that runs PNet on pyramid levels, and RNet /
 * ONet on crop batches, in this thread ({@linkcode localNets}) or on worker threads (the pool of
 * a detector with workers). Stages take these, so one stage list runs in either place.
 *
 * @module
 */
import type { SummedAreaTable } from "../../lib/area_resample.ts";
import type { Candidates } from "../../lib/candidates.ts";
import type { CropBatch, LevelImage } from "../state.ts";

/** The heads RNet and ONet give per crop. */
export type CropHeads<N extends "rnet" | "onet"> = N extends "rnet" ? "bbox" | "prob"
  : "bbox" | "landmarks" | "prob";

/** PNet, ready to run on pyramid levels. */
export interface PNetRunner {
  /** Always `"pnet"`. */
  readonly net: "pnet";
  /**
   * Scores every level (computing its pixels from `sat` where it runs) and gives, per level,
   * the cells at or above `threshold` as image-space candidates after IoU NMS at `nmsIou`.
   */
  run(
    sat: SummedAreaTable,
    levels: readonly LevelImage[],
    threshold: number,
    nmsIou: number,
  ): Promise<Candidates[]>;
}

/** RNet or ONet, ready to run on crop batches: one readback per batch. */
export interface CropNet<N extends "rnet" | "onet"> {
  /** Which net. */
  readonly net: N;
  /** Side of the crops it takes: 24 for RNet, 48 for ONet. */
  readonly size: N extends "rnet" ? 24 : 48;
  /** Every head's values for the batch, row-major (cutting the crops here when needed). */
  run(crops: CropBatch): Promise<Record<CropHeads<N>, Float32Array>>;
}

/** The three nets of a cascade. */
export interface Nets {
  /** PNet. */
  readonly pnet: PNetRunner;
  /** RNet. */
  readonly rnet: CropNet<"rnet">;
  /** ONet. */
  readonly onet: CropNet<"onet">;
  /**
   * The landmark stage's ONet with `landmarks: "refined"` (a detector's `landmarkOnet`). Default:
   * `onet`.
   */
  readonly landmarkOnet?: CropNet<"onet">;
}
