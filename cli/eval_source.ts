/**
 * Where `eval` gets faces from: the detector (default weights, detect options) or stored
 * detections (`--predictions FILE`).
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import {
  createDetector,
  type DetectOptions,
  type Face,
  type MtcnnError,
  type Result,
  useBackend,
} from "../mod.ts";
import { mtcnnError } from "../lib/errors.ts";
import { backendFrom, detectOptionsFrom, landmarkOnetFrom } from "./common.ts";
import { parsePredictions, storedFaces } from "./eval_predictions.ts";

/** Faces of one image, boxes [x, y, w, h]. */
export interface FaceSource {
  /** Faces of the image at `path`; `key` is its name in the annotation list. */
  faces(path: string, key: string): Promise<Result<MtcnnError, readonly Face[]>>;
  /** Frees the detector, if any. */
  close(): void;
}

/** A source, or an error with its exit code (2 usage, 1 failure). */
export type SourceOrError = FaceSource | {
  readonly error: MtcnnError | string;
  readonly code: number;
};

/** Opens the source the parsed options ask for. */
export const openFaceSource = async (
  o: Readonly<Record<string, string | boolean>>,
): Promise<SourceOrError> => {
  if (typeof o.predictions === "string") {
    let text: string;
    try {
      text = await Deno.readTextFile(o.predictions);
    } catch (e) {
      return {
        error: `${o.predictions}: cannot read (${e instanceof Error ? e.message : e})`,
        code: 1,
      };
    }
    const stored = parsePredictions(text, o.predictions);
    if (typeof stored === "string") return { error: stored, code: 1 };
    const lookup = storedFaces(stored);
    return {
      faces: (_path, key) => {
        const f = lookup(key);
        return Promise.resolve(
          f
            ? E.right(f)
            : E.left(mtcnnError("InputError", `${o.predictions} has no detections for ${key}`)),
        );
      },
      close: () => {},
    };
  }
  const options = detectOptionsFrom(o);
  if (typeof options === "string") return { error: options, code: 2 };
  const backend = backendFrom(o);
  if ("error" in backend) return { error: backend.error, code: 2 };
  const b = await useBackend(backend.backend);
  if (b._tag === "Left") return { error: b.left, code: 1 };
  const lm = await landmarkOnetFrom(o, options);
  if ("error" in lm) return lm;
  const detector = await createDetector({
    ...(options as DetectOptions),
    boxFormat: "xywh",
    landmarkOnet: lm.weights,
  });
  if (detector._tag === "Left") return { error: detector.left, code: 2 };
  return {
    faces: async (path) => {
      const r = await detector.right.detect(path);
      return r._tag === "Left" ? r : E.right(r.right.faces);
    },
    close: () => detector.right.dispose(),
  };
};
