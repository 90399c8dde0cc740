/**
 * Parser for WIDER FACE's ground-truth text format (`wider_face_val_bbx_gt.txt`): an image
 * name line, a face count line, then one line per face
 * `x y w h blur expression illumination invalid occlusion pose`. An image with 0 faces is
 * followed by one line of zeros, which is skipped.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import type { MtcnnError } from "../errors.ts";
import type { Result } from "../result.ts";
import { lineError, numberedLines, parseNumberFields } from "../annotations/lines.ts";

/** One annotated face; attribute codes as in WIDER's `readme.txt`. */
export interface WiderFace {
  /** [x, y, w, h] in pixels. */
  readonly box: readonly [number, number, number, number];
  /** 0 clear, 1 normal blur, 2 heavy blur. */
  readonly blur: number;
  /** 0 typical, 1 exaggerated expression. */
  readonly expression: number;
  /** 0 normal, 1 extreme illumination. */
  readonly illumination: number;
  /** 0 valid, 1 invalid image. */
  readonly invalid: number;
  /** 0 none, 1 partial, 2 heavy occlusion. */
  readonly occlusion: number;
  /** 0 typical, 1 atypical pose. */
  readonly pose: number;
}

/** One image of the ground truth. */
export interface WiderGtImage {
  /** The name as written, e.g. `0--Parade/0_Parade_marchingband_1_465.jpg`. */
  readonly name: string;
  /** Its faces, in file order (the order the official split indices refer to). */
  readonly faces: readonly WiderFace[];
}

const isZeroLine = (t: string): boolean => /^0(\s+0)*$/.test(t);

/**
 * Parses WIDER ground truth. Face lines may have the 10 official fields or only the 4 box
 * numbers (attributes then read as 0). A missing or non-integer count, a short file, or a
 * bad face line is a FormatError naming `file:line`.
 *
 * @example
 * ```ts
 * import { parseWiderGt } from "@mtcnn/mtcnn/eval";
 * const text = "0--Parade/a.jpg\n1\n10 20 30 40 0 0 0 0 0 0\n0--Parade/b.jpg\n0\n0 0 0 0 0 0 0 0 0 0\n";
 * const r = parseWiderGt(text, "gt.txt");
 * if (r._tag === "Right") console.log(r.right.map((i) => i.faces.length)); // [1, 0]
 * ```
 */
export const parseWiderGt = (text: string, file: string): Result<MtcnnError, WiderGtImage[]> => {
  const lines = numberedLines(text).filter((l) => l.text !== "");
  const images: WiderGtImage[] = [];
  let i = 0;
  while (i < lines.length) {
    const name = lines[i];
    if (/^[\d.\s-]+$/.test(name.text)) {
      return E.left(lineError(file, name.line, `expected an image name, got "${name.text}"`));
    }
    const countLine = lines[i + 1];
    if (countLine === undefined) {
      return E.left(lineError(file, name.line, `image ${name.text} has no face count line`));
    }
    const count = Number(countLine.text);
    if (!/^\d+$/.test(countLine.text) || !Number.isSafeInteger(count)) {
      return E.left(
        lineError(file, countLine.line, `expected a face count, got "${countLine.text}"`),
      );
    }
    i += 2;
    if (count === 0 && lines[i] !== undefined && isZeroLine(lines[i].text)) i++;
    const faces: WiderFace[] = [];
    for (let k = 0; k < count; k++, i++) {
      const l = lines[i];
      if (l === undefined) {
        return E.left(
          lineError(
            file,
            countLine.line,
            `${name.text} announces ${count} faces, the file ends after ${k}`,
          ),
        );
      }
      const fields = l.text.split(/\s+/);
      if (fields.length !== 10 && fields.length !== 4) {
        return E.left(
          lineError(
            file,
            l.line,
            `expected "x y w h" and 6 attributes, got ${fields.length} fields`,
          ),
        );
      }
      const v = parseNumberFields(fields, file, l.line);
      if (!Array.isArray(v)) return E.left(v);
      const [
        x,
        y,
        w,
        h,
        blur = 0,
        expression = 0,
        illumination = 0,
        invalid = 0,
        occlusion = 0,
        pose = 0,
      ] = v;
      faces.push({ box: [x, y, w, h], blur, expression, illumination, invalid, occlusion, pose });
    }
    images.push({ name: name.text, faces });
  }
  return E.right(images);
};
