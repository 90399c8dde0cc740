/**
 * The detector most users want: created once (weights, backend, optional worker threads), then
 * `detect` on any number of images.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { describe, type MtcnnError, mtcnnError } from "../lib/errors.ts";
import { mapInOrder } from "../lib/in_order.ts";
import { pixelBudget } from "../lib/pixel_budget.ts";
import type { Result } from "../lib/result.ts";
import { loadDefaultWeights } from "../lib/weights/default_weights.ts";
import { faceAndLandmarks, faceOnly } from "./cascade.ts";
import { runStage } from "./compose.ts";
import { ensureBackend } from "./edge/backend.ts";
import { type ImageInput, type LoadedImage, loadScaledImage } from "./edge/load_image.ts";
import { localNet } from "./nets/local.ts";
import { type StartedNets, startNets, workersOption } from "./nets/start.ts";
import type { Nets } from "./nets/types.ts";
import { type DetectOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { type ImageLoader, startImageLoader } from "./parallel/loader.ts";
import { spawnNetWorker } from "./parallel/pool.ts";
import { type Detection, toDetection } from "./detection.ts";
import type {
  DetectCallOptions,
  DetectedItem,
  DetectManyOptions,
  Detector,
  DetectorOptions,
} from "./detector_types.ts";
import { imageState } from "./stages/load.ts";
import type { CandidateState, ImageState, Stage } from "./state.ts";

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
  "landmarks",
  "rotations",
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
export const createDetector = (
  options: DetectorOptions = {},
): Promise<Result<MtcnnError, Detector>> => createDetectorWith(options, []);

/**
 * {@linkcode createDetector} with net workers already started (`started`, running
 * pipelines/parallel/worker.ts and not yet initialised: the command line starts them before its
 * own modules load). It takes the ones it needs from the front of the array; those left are the
 * caller's to end.
 */
export const createDetectorWith = async (
  options: DetectorOptions,
  started: Worker[],
): Promise<Result<MtcnnError, Detector>> => {
  try {
    return await create(options ?? {}, started);
  } catch (e) {
    return E.left(mtcnnError("BackendError", `cannot create the detector: ${describe(e)}`, e));
  }
};

const create = async (
  options: DetectorOptions,
  started: Worker[],
): Promise<Result<MtcnnError, Detector>> => {
  const base = detectOptionsOf(options);
  const resolved = resolveOptions(base);
  if (resolved._tag === "Left") return resolved;
  const checked = workersOption(options.workers);
  if (checked._tag === "Left") return checked;
  const workers = checked.right;
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
  if (cascadeName === "faceOnly" && options.landmarks === "refined") {
    return E.left(
      mtcnnError("OptionError", 'landmarks: "refined" needs the ONet cascade, not faceOnly'),
    );
  }
  // The workers load their modules while this thread starts its backend and loads weights.
  const early: (Worker | undefined)[] = Array.from(
    { length: workers },
    () => started.shift() ?? spawnNetWorker(),
  );
  const unused = <T>(r: T): T => {
    early.forEach((w) => w?.terminate());
    return r;
  };
  try {
    const backend = await ensureBackend(options.backend);
    if (backend._tag === "Left") return unused(backend);
    const weights = options.weights ?? await loadDefaultWeights();
    const w = "_tag" in weights ? weights : E.right(weights);
    if (w._tag === "Left") return unused(w);
    const lm = options.landmarkOnet === undefined
      ? undefined
      : localNet("onet", options.landmarkOnet);
    if (lm?._tag === "Left") {
      return unused(
        E.left(mtcnnError("WeightsError", `landmarkOnet: ${lm.left.message}`, lm.left)),
      );
    }
    const landmarkOnet = lm?.right;
    const spawn = (i: number) => {
      const worker = early[i] ?? spawnNetWorker();
      early[i] = undefined;
      return worker;
    };
    const started = await startNets(w.right, workers, options.backend ?? "auto", spawn);
    if (started._tag === "Left") {
      landmarkOnet?.dispose();
      return started;
    }
    const withLandmarks = (n: Nets): Nets => landmarkOnet ? { ...n, landmarkOnet } : n;
    const nets = withLandmarks(started.right.nets);
    const lanes = started.right.lanes.map(withLandmarks);
    const release = () => {
      started.right.release();
      landmarkOnet?.dispose();
    };
    const build = (n: Nets, o: ResolvedOptions): Stage<ImageState, CandidateState> =>
      options.stages
        ? options.stages(n, o)
        : cascadeName === "faceOnly"
        ? faceOnly(n, o)
        : faceAndLandmarks(n, o);
    return E.right(
      detectorOf(build, { nets, lanes }, resolved.right, workers, backend.right, release),
    );
  } catch (e) {
    throw unused(e);
  }
};

/**
 * Images `detectEach` keeps in flight per worker: two, so that a worker has the next image's
 * work queued while this thread runs the other's NMS and crops.
 */
const IN_FLIGHT_PER_WORKER = 2;

/**
 * Pixels of the images detected at once (an image alone always runs): 32 megapixels, about
 * 480 MB of images and summed-area tables (15 bytes a pixel).
 */
const PIXELS_IN_FLIGHT = 32_000_000;

/** Where a detector's nets run: all workers at once (`nets`), or each worker alone (`lanes`). */
type NetPlaces = Omit<StartedNets, "release">;

/** The detector's calls around its cascade builder; `release` frees the nets. */
const detectorOf = (
  build: (nets: Nets, o: ResolvedOptions) => Stage<ImageState, CandidateState>,
  places: NetPlaces,
  base: ResolvedOptions,
  workers: number,
  backend: string,
  release: () => void,
): Detector => {
  const stages = build(places.nets, base);
  const laneStages = places.lanes.map((n) => build(n, base));
  /** Pixels of the images running on each lane now. */
  const busy = places.lanes.map(() => 0);
  let running = 0;
  const budget = pixelBudget(PIXELS_IN_FLIGHT);
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
  /** The options of a call, and its cascade on the split nets (lane -1) or on lane k. */
  const optionsFor = (extra: DetectCallOptions) => {
    const given = detectOptionsOf(extra ?? {});
    if (Object.keys(given).length === 0) {
      return E.right({ o: base, on: (k: number) => (k < 0 ? stages : laneStages[k]) });
    }
    const o = resolveOptions({ ...base, ...given });
    return o._tag === "Left" ? o : E.right({
      o: o.right,
      on: (k: number) => build(k < 0 ? places.nets : places.lanes[k], o.right),
    });
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
  /**
   * Runs the cascade on an input, or on an image a loader worker already decoded. An image
   * alone is split over every worker (the shortest wait for it); one that starts while others
   * run goes whole to the worker with the fewest pixels in hand (no split to join: the most images per second).
   * Either way the same stages run on the same pixels: the same faces.
   */
  const run = async (
    input: ImageInput,
    extra: DetectCallOptions,
    preloaded?: Promise<Result<MtcnnError, LoadedImage>>,
  ): Promise<Result<MtcnnError, Detection>> => {
    if (disposed) return gone();
    const c = optionsFor(extra);
    if (c._tag === "Left") return c;
    const { o, on } = c.right;
    inFlight++;
    let lane = -1;
    try {
      const t0 = performance.now();
      const loaded = await (preloaded ??
        loadScaledImage(input, o.maxPixels, { downscale: o.downscaleLargeImages }));
      if (loaded._tag === "Left") return loaded;
      const pixels = loaded.right.image.width * loaded.right.image.height;
      await budget.enter(pixels);
      if (running > 0 && busy.length > 0) {
        lane = busy.indexOf(Math.min(...busy));
        busy[lane] += pixels;
      }
      running++;
      try {
        const state = imageState(loaded.right, shared, performance.now() - t0);
        return finish(await runStage(on(lane), state), o, extra?.keepImage === true);
      } finally {
        running--;
        if (lane >= 0) busy[lane] -= pixels;
        budget.leave(pixels);
      }
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
    // With workers, files are decoded on a loader thread, in order, while others are detected.
    const decodeAhead = (input: ImageInput) => {
      if (!shared || disposed || !(typeof input === "string" || input instanceof Uint8Array)) {
        return undefined;
      }
      loader ??= startImageLoader();
      return loader.load(input, o.maxPixels, { downscale: o.downscaleLargeImages });
    };
    const limit = shared ? Math.max(2, workers * IN_FLIGHT_PER_WORKER) : 1;
    const items = mapInOrder(inputs, limit, async (input, index) => ({
      input,
      index,
      result: await run(input, extra, decodeAhead(input)),
    }));
    for await (const item of items) {
      yield item;
      extra.onProgress?.(item.index + 1, total);
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
