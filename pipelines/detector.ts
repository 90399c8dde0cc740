/**
 * The detector most users want: created once (weights, backend, optional worker threads), then
 * `detect` on any number of images.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../lib/errors.ts";
import type { Result } from "../lib/result.ts";
import { loadDefaultWeights } from "../lib/weights/default_weights.ts";
import type { MtcnnWeights } from "../lib/weights/record.ts";
import { faceAndLandmarks, faceOnly } from "./cascade.ts";
import { runStage } from "./compose.ts";
import { type BackendName, ensureBackend } from "./edge/backend.ts";
import { type ImageInput, type LoadedImage, loadScaledImage } from "./edge/load_image.ts";
import { localNets } from "./nets/local.ts";
import type { Nets } from "./nets/types.ts";
import { type DetectOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { type ImageLoader, startImageLoader } from "./parallel/loader.ts";
import { startNetPool } from "./parallel/pool.ts";
import { type Detection, toDetection } from "./detection.ts";
import { imageState } from "./stages/load.ts";
import type { CandidateState, ImageState, Stage } from "./state.ts";

/** Which preset cascade a detector runs. */
export type CascadeName = "faceAndLandmarks" | "faceOnly";

/** Options of {@linkcode createDetector}: detection options, and how the detector runs. */
export interface DetectorOptions extends DetectOptions {
  /**
   * The three nets' weights. Default: the embedded pretrained weights (Zhang et al. 2016, the
   * same numbers as the Python `mtcnn` package's and facenet-pytorch's), loaded on first use.
   */
  readonly weights?: MtcnnWeights;
  /**
   * Worker threads running the nets. Default 0: this thread, which starts fastest; 2 (the
   * cores of our machines) gives about twice the throughput on many images.
   */
  readonly workers?: number;
  /**
   * The tfjs backend. Default: the one already in use, or `auto` (wasm with SIMD, else cpu)
   * when none was chosen. Workers start their own.
   */
  readonly backend?: BackendName;
  /** `faceAndLandmarks` (P, R, O; default) or `faceOnly` (P, R: no landmarks, faster). */
  readonly cascade?: CascadeName;
  /**
   * Your own cascade after the load stage, built from the detector's nets (in this thread or on
   * the workers) and the resolved options; overrides `cascade`. See `@mtcnn/mtcnn/stages`.
   */
  readonly stages?: (nets: Nets, options: ResolvedOptions) => Stage<ImageState, CandidateState>;
}

/** Options of one call of `detect`: detection options for this call, and what to return. */
export interface DetectCallOptions extends DetectOptions {
  /** Also return the decoded image (`Detection.image`), e.g. to draw on. Default false. */
  readonly keepImage?: boolean;
}

/** Options of `detectMany` and `detectEach`. */
export interface DetectManyOptions extends DetectCallOptions {
  /** Called after each image with the number done (and the total, when known). */
  readonly onProgress?: (done: number, total?: number) => void;
}

/** One image's input and result, as `detectEach` yields them. */
export interface DetectedItem {
  /** The input, as given. */
  readonly input: ImageInput;
  /** Its position among the inputs, from 0. */
  readonly index: number;
  /** Its faces, or why it failed. */
  readonly result: Result<MtcnnError, Detection>;
}

/** A detector holding its nets. Call `dispose()` when done. */
export interface Detector {
  /** The tfjs backend it runs on. */
  readonly backend: string;
  /** Its worker threads (0: it runs in this thread). */
  readonly workers: number;
  /** The faces of one image. Failures are values, never exceptions. */
  detect(input: ImageInput, options?: DetectCallOptions): Promise<Result<MtcnnError, Detection>>;
  /** The faces of many images, in order; one image's failure does not stop the others. */
  detectMany(
    inputs: readonly ImageInput[],
    options?: DetectManyOptions,
  ): Promise<Result<MtcnnError, Detection>[]>;
  /**
   * The faces of a stream of images (a list, a generator, an async generator), one result as
   * each is done; with workers, the next file is decoded on a thread of its own meanwhile.
   */
  detectEach(
    inputs: Iterable<ImageInput> | AsyncIterable<ImageInput>,
    options?: DetectManyOptions,
  ): AsyncGenerator<DetectedItem>;
  /** Frees the nets (after the calls in flight); later calls fail with an InputError. */
  dispose(): void;
}

const OPTION_KEYS: readonly (keyof DetectOptions)[] = [
  "preset",
  "flip",
  "minFaceSize",
  "scaleFactor",
  "thresholds",
  "nmsPerScale",
  "nmsAcrossScales",
  "nmsRefine",
  "nmsOutput",
  "boxFormat",
  "clip",
  "cropPadding",
  "maxPixels",
  "downscaleLargeImages",
];

const detectOptionsOf = (o: DetectOptions): DetectOptions =>
  Object.fromEntries(OPTION_KEYS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

/**
 * Creates a detector: checks the options and the weights, starts the backend when none was
 * chosen, uploads the weights (or starts the workers). Resolves to an error value, never
 * throws.
 *
 * @example
 * ```ts
 * import { createDetector } from "@mtcnn/mtcnn";
 * const detector = await createDetector({ minFaceSize: 40 });
 * if (detector._tag === "Right") {
 *   const r = await detector.right.detect("photo.jpg");
 *   console.log(r._tag === "Right" ? r.right.faces : r.left.message);
 *   detector.right.dispose();
 * }
 * ```
 */
export const createDetector = async (
  options: DetectorOptions = {},
): Promise<Result<MtcnnError, Detector>> => {
  try {
    return await create(options ?? {});
  } catch (e) {
    return E.left(mtcnnError("BackendError", `cannot create the detector: ${describe(e)}`, e));
  }
};

const create = async (options: DetectorOptions): Promise<Result<MtcnnError, Detector>> => {
  const base = detectOptionsOf(options);
  const resolved = resolveOptions(base);
  if (resolved._tag === "Left") return resolved;
  const workers = options.workers ?? 0;
  if (!(Number.isInteger(workers) && workers >= 0 && workers <= 64)) {
    return E.left(
      mtcnnError("OptionError", `workers must be an integer from 0 to 64, got ${workers}`),
    );
  }
  const cascadeName = options.cascade ?? "faceAndLandmarks";
  if (cascadeName !== "faceAndLandmarks" && cascadeName !== "faceOnly") {
    return E.left(mtcnnError(
      "OptionError",
      `cascade must be "faceAndLandmarks" or "faceOnly", got ${JSON.stringify(cascadeName)}`,
    ));
  }
  if (options.stages !== undefined && typeof options.stages !== "function") {
    return E.left(mtcnnError("OptionError", "stages must be a function (nets, options) => stage"));
  }
  const backend = await ensureBackend(options.backend);
  if (backend._tag === "Left") return backend;
  const weights = options.weights ?? await loadDefaultWeights();
  const w = "_tag" in weights ? weights : E.right(weights);
  if (w._tag === "Left") return w;
  let nets: Nets;
  let release: () => void;
  if (workers === 0) {
    const local = localNets(w.right);
    if (local._tag === "Left") return local;
    nets = local.right;
    release = () => local.right.dispose();
  } else {
    const pool = await startNetPool(w.right, workers, options.backend ?? "auto");
    if (pool._tag === "Left") return pool;
    nets = pool.right.nets;
    release = () => pool.right.terminate();
  }
  const build = (o: ResolvedOptions): Stage<ImageState, CandidateState> =>
    options.stages
      ? options.stages(nets, o)
      : cascadeName === "faceOnly"
      ? faceOnly(nets, o)
      : faceAndLandmarks(nets, o);
  return E.right(
    detectorOf(build, resolved.right, workers, backend.right, release),
  );
};

/** The detector's calls around its cascade builder; `release` frees the nets. */
const detectorOf = (
  build: (o: ResolvedOptions) => Stage<ImageState, CandidateState>,
  base: ResolvedOptions,
  workers: number,
  backend: string,
  release: () => void,
): Detector => {
  const stages = build(base);
  let disposed = false;
  let inFlight = 0;
  let loader: ImageLoader | undefined;
  const settle = () => {
    if (disposed && inFlight === 0) {
      release();
      loader?.terminate();
    }
  };
  const gone = () => E.left(mtcnnError("InputError", "this detector has been disposed"));
  const optionsFor = (extra: DetectCallOptions) => {
    const given = detectOptionsOf(extra ?? {});
    if (Object.keys(given).length === 0) return E.right({ o: base, s: stages });
    const o = resolveOptions({ ...base, ...given });
    return o._tag === "Left" ? o : E.right({ o: o.right, s: build(o.right) });
  };
  const shared = workers > 0;
  const finish = (
    end: Result<MtcnnError, CandidateState>,
    o: ResolvedOptions,
    keep: boolean,
  ): Result<MtcnnError, Detection> => {
    if (end._tag === "Left") return end;
    const d = toDetection(end.right, o);
    return E.right(keep ? { ...d, image: end.right.image } : d);
  };
  /** Runs the cascade on an input, or on an image a loader worker already decoded. */
  const run = async (
    input: ImageInput,
    extra: DetectCallOptions,
    preloaded?: Promise<Result<MtcnnError, LoadedImage>>,
  ): Promise<Result<MtcnnError, Detection>> => {
    if (disposed) return gone();
    const c = optionsFor(extra);
    if (c._tag === "Left") return c;
    const { o, s } = c.right;
    inFlight++;
    try {
      const t0 = performance.now();
      const loaded = await (preloaded ??
        loadScaledImage(input, o.maxPixels, { downscale: o.downscaleLargeImages }));
      if (loaded._tag === "Left") return loaded;
      const state = imageState(loaded.right, shared, performance.now() - t0);
      return finish(await runStage(s, state), o, extra?.keepImage === true);
    } catch (e) {
      return E.left(mtcnnError("BackendError", `detection failed: ${describe(e)}`, e));
    } finally {
      inFlight--;
      settle();
    }
  };
  const each = async function* (
    inputs: Iterable<ImageInput> | AsyncIterable<ImageInput>,
    extra: DetectManyOptions = {},
  ): AsyncGenerator<DetectedItem> {
    const total = Array.isArray(inputs) ? inputs.length : undefined;
    const c = optionsFor(extra);
    const o = c._tag === "Right" ? c.right.o : base;
    // With workers, the next file is decoded on a loader thread while this one is detected.
    const decodeAhead = (input: ImageInput) => {
      if (!shared || disposed || !(typeof input === "string" || input instanceof Uint8Array)) {
        return undefined;
      }
      loader ??= startImageLoader();
      return loader.load(input, o.maxPixels, { downscale: o.downscaleLargeImages });
    };
    let index = 0;
    let pending: { input: ImageInput; loaded?: ReturnType<typeof decodeAhead> } | undefined;
    for await (const input of inputs) {
      const next = { input, loaded: decodeAhead(input) };
      if (pending) {
        yield {
          input: pending.input,
          index,
          result: await run(pending.input, extra, pending.loaded),
        };
        extra.onProgress?.(++index, total);
      }
      pending = next;
    }
    if (pending) {
      yield {
        input: pending.input,
        index,
        result: await run(pending.input, extra, pending.loaded),
      };
      extra.onProgress?.(++index, total);
    }
  };
  return {
    backend,
    workers,
    detect: (input, extra = {}) => run(input, extra),
    detectMany: async (inputs, extra = {}) => {
      const out: Result<MtcnnError, Detection>[] = [];
      for await (const item of each(inputs ?? [], extra)) out.push(item.result);
      return out;
    },
    detectEach: each,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      settle();
    },
  };
};
