/**
 * Parser for MTFL's lists (`training.txt`, `testing.txt`; Zhang et al., ECCV 2014):
 * `path x1 x2 x3 x4 x5 y1 y2 y3 y4 y5 gender smile glasses pose`, one face per line.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import type { MtcnnError } from "../errors.ts";
import type { Point } from "../face.ts";
import type { Result } from "../result.ts";
import type { LandmarkAnnotation } from "./landmark_annotation.ts";
import { lineError, numberedLines, parseNumberFields } from "./lines.ts";

/** An MTFL face: landmarks plus its attributes (MTFL's readme gives the codes). */
export interface MtflAnnotation extends LandmarkAnnotation {
  /** 1 male, 2 female. */
  readonly gender: number;
  /** 1 smiling, 2 not. */
  readonly smile: number;
  /** 1 wearing glasses, 2 not. */
  readonly glasses: number;
  /** 1 left profile, 2 left, 3 frontal, 4 right, 5 right profile. */
  readonly pose: number;
}

/** Options of {@linkcode parseMtflList}. */
export interface MtflOptions {
  /**
   * Treat coordinates as 1-based and subtract 1 from every one. MTFL's coordinates are about
   * one pixel larger than the CNN_FacePoint lists' for the same images. Default false.
   */
  readonly oneBased?: boolean;
}

/**
 * Parses an MTFL list. Backslashes in paths become `/`; blank lines are skipped; a line with
 * the wrong number of fields or a non-number is a FormatError naming `file:line`.
 *
 * @example
 * ```ts
 * import { parseMtflList } from "@mtcnn/mtcnn/eval";
 * const text = "AFLW\\0001.jpg 56 101 79 43 93 43 58 69 86 103 1 1 2 3\n";
 * const r = parseMtflList(text, "testing.txt", { oneBased: true });
 * if (r._tag === "Right") console.log(r.right[0].path, r.right[0].landmarks[0]); // AFLW/0001.jpg [55, 42]
 * ```
 */
export const parseMtflList = (
  text: string,
  file: string,
  options: MtflOptions = {},
): Result<MtcnnError, MtflAnnotation[]> => {
  const shift = options.oneBased ? 1 : 0;
  const out: MtflAnnotation[] = [];
  for (const { line, text: t } of numberedLines(text)) {
    if (t === "") continue;
    const fields = t.split(/\s+/);
    if (fields.length !== 15) {
      return E.left(
        lineError(
          file,
          line,
          `expected 15 fields (path, 10 coordinates, 4 attributes), got ${fields.length}`,
        ),
      );
    }
    const v = parseNumberFields(fields.slice(1), file, line);
    if (!Array.isArray(v)) return E.left(v);
    const pt = (i: number): Point => [v[i] - shift, v[i + 5] - shift];
    out.push({
      path: fields[0].replaceAll("\\", "/"),
      landmarks: [pt(0), pt(1), pt(2), pt(3), pt(4)],
      gender: v[10],
      smile: v[11],
      glasses: v[12],
      pose: v[13],
    });
  }
  return E.right(out);
};
