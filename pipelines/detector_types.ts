/**
 * What a detector is and takes: its options, the options of one call, and what it gives.
 *
 * @module
 */
import type { MtcnnError } from "../lib/errors.ts";
import type { Result } from "../lib/result.ts";
import type { MtcnnWeights, ONetWeights } from "../lib/weights/record.ts";
import type { Detection } from "./detection.ts";
import type { BackendName } from "./edge/backend.ts";
import type { ImageInput } from "./edge/load_image.ts";
import type { Nets } from "./nets/types.ts";
import type { DetectOptions, ResolvedOptions } from "./options.ts";
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
   * The ONet of the landmark stage with `landmarks: "refined"` (e.g. one fine-tuned for
   * landmarks, docs/training.md); it runs in this thread, on the final faces only. Default: the
   * detector's ONet (on its workers, if any).
   */
  readonly landmarkOnet?: ONetWeights;
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
   * each is done, in the inputs' order; with workers, two images per worker are in flight, each
   * run whole on one worker, and files are decoded on a thread of their own meanwhile.
   */
  detectEach(
    inputs: Iterable<ImageInput> | AsyncIterable<ImageInput>,
    options?: DetectManyOptions,
  ): AsyncGenerator<DetectedItem>;
  /** Frees the nets (after the calls in flight); later calls fail with an InputError. */
  dispose(): void;
}
