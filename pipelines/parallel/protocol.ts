/**
 * Messages between a detector and its net workers.
 *
 * @module
 */
import type { SummedAreaTable } from "../../lib/area_resample.ts";
import type { Candidates } from "../../lib/candidates.ts";
import type { PyramidLevel } from "../../lib/pyramid.ts";
import type { MtcnnWeights } from "../../lib/weights/record.ts";
import type { BackendName } from "../edge/backend.ts";

/** To a worker. */
export type ToWorker =
  | { readonly kind: "init"; readonly backend: BackendName; readonly weights: MtcnnWeights }
  | {
    readonly kind: "pnet";
    readonly id: number;
    readonly sat: SummedAreaTable;
    readonly levels: readonly PyramidLevel[];
    readonly threshold: number;
    readonly nms: number;
  }
  | {
    readonly kind: "rnet" | "onet";
    readonly id: number;
    readonly size: number;
    readonly count: number;
    /** The crops' pixels, or (absent) cut them in the worker from `rects` and `sat`. */
    readonly data?: Float32Array;
    readonly rects: Int32Array;
    readonly sat: SummedAreaTable;
  };

/** From a worker. */
export type FromWorker =
  | { readonly kind: "ready"; readonly backend: string }
  | { readonly kind: "levels"; readonly id: number; readonly candidates: Candidates[] }
  | { readonly kind: "heads"; readonly id: number; readonly heads: Record<string, Float32Array> }
  | { readonly kind: "error"; readonly id?: number; readonly message: string }
  /** The worker hit an uncaught error and is closing: the pool replaces it. */
  | { readonly kind: "crashed"; readonly message: string };
