/**
 * Parser for the CUHK CNN_FacePoint lists (`trainImageList.txt`, `testImageList.txt`; Sun et
 * al., CVPR 2013): `path left right top bottom x1 y1 x2 y2 ... x5 y5`, one face per line.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import type { MtcnnError } from "../errors.ts";
import type { Point } from "../face.ts";
import type { Result } from "../result.ts";
import type { LandmarkAnnotation } from "./landmark_annotation.ts";
import { lineError, numberedLines, parseNumberFields } from "./lines.ts";

/** A CNN_FacePoint face: always has a box. */
export interface CnnFacePointAnnotation extends LandmarkAnnotation {
  /** [x1, y1, x2, y2] = the list's [left, top, right, bottom]. */
  readonly box: readonly [number, number, number, number];
}

/**
 * Parses a CNN_FacePoint list. Note the box order in the file is left, right, top, bottom;
 * it is returned as [x1, y1, x2, y2]. Backslashes in paths become `/`; blank lines are
 * skipped; a malformed line (field count, non-number, right < left or bottom < top) is a
 * FormatError naming `file:line`.
 *
 * @example
 * ```ts
 * import { parseCnnFacePointList } from "@mtcnn/mtcnn/eval";
 * const text = "lfw_5590\\A.jpg 75 165 87 177 106 108 143 108 131 127 106 155 142 155\n";
 * const r = parseCnnFacePointList(text, "testImageList.txt");
 * if (r._tag === "Right") console.log(r.right[0].box, r.right[0].landmarks[1]); // [75, 87, 165, 177] [143, 108]
 * ```
 */
export const parseCnnFacePointList = (
  text: string,
  file: string,
): Result<MtcnnError, CnnFacePointAnnotation[]> => {
  const out: CnnFacePointAnnotation[] = [];
  for (const { line, text: t } of numberedLines(text)) {
    if (t === "") continue;
    const fields = t.split(/\s+/);
    if (fields.length !== 15) {
      return E.left(
        lineError(
          file,
          line,
          `expected 15 fields (path, 4 box sides, 10 coordinates), got ${fields.length}`,
        ),
      );
    }
    const v = parseNumberFields(fields.slice(1), file, line);
    if (!Array.isArray(v)) return E.left(v);
    const [left, right, top, bottom] = v;
    if (right < left || bottom < top) {
      return E.left(
        lineError(
          file,
          line,
          `box left ${left} right ${right} top ${top} bottom ${bottom} is inverted`,
        ),
      );
    }
    const pt = (i: number): Point => [v[4 + 2 * i], v[5 + 2 * i]];
    out.push({
      path: fields[0].replaceAll("\\", "/"),
      box: [left, top, right, bottom],
      landmarks: [pt(0), pt(1), pt(2), pt(3), pt(4)],
    });
  }
  return E.right(out);
};
