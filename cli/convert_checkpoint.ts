/**
 * `convert`'s input: a weights file of any format, or a training checkpoint (the file, or the
 * folder `train --out` wrote it to), as `train --init` and `dataset --pnet` accept.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import { join } from "node:path";
import { describe, type MtcnnError, mtcnnError } from "../lib/errors.ts";
import type { Result } from "../lib/result.ts";
import { NET_SPECS, type NetName } from "../lib/spec.ts";
import { decodeCheckpoint } from "../lib/train/checkpoint_format.ts";
import { weightsFromArrays } from "../lib/weights/record.ts";
import type { AnyNetWeights } from "../lib/codecs/weights_codec.ts";
import { readAnyNetWeightsFile } from "../pipelines/edge/weights/files.ts";

/** The first bytes of a checkpoint (`lib/train/checkpoint_format.ts`). */
const CHECKPOINT_MAGIC = "MTCNNCK1";

/** Reads `path` as a checkpoint when it starts like one, else as a weights file. */
export const readWeightsOrCheckpoint = async (
  path: string,
  net: NetName | undefined,
): Promise<Result<MtcnnError, AnyNetWeights>> => {
  let file = path;
  let head = new Uint8Array(0);
  try {
    if ((await Deno.stat(path)).isDirectory) file = join(path, "checkpoint.bin");
    using f = await Deno.open(file);
    head = new Uint8Array(8);
    head = head.subarray(0, (await f.read(head)) ?? 0);
  } catch (e) {
    // A missing file or a folder without a checkpoint is reported by the weights reader.
    if (file === path) return await readAnyNetWeightsFile(path, net);
    return E.left(mtcnnError("IoError", `${path}: no checkpoint.bin in it (${describe(e)})`, e));
  }
  if (new TextDecoder().decode(head) !== CHECKPOINT_MAGIC) {
    return await readAnyNetWeightsFile(file, net);
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (e) {
    return E.left(mtcnnError("IoError", `${file}: cannot read (${describe(e)})`, e));
  }
  const ck = decodeCheckpoint<{ net?: unknown }>(bytes, file);
  if (ck._tag === "Left") return ck;
  const held = ck.right.meta.net;
  if (held !== "pnet" && held !== "rnet" && held !== "onet") {
    return E.left(
      mtcnnError("FormatError", `${file}: the checkpoint does not say which net it holds`),
    );
  }
  if (net !== undefined && net !== held) {
    return E.left(mtcnnError("WeightsError", `${file} holds ${held} weights, not ${net} (--net)`));
  }
  const w = weightsFromArrays(
    held,
    NET_SPECS[held].map((p) => ({ shape: p.shape, data: ck.right.arrays[`w/${p.name}`] })),
  );
  return w._tag === "Left"
    ? E.left(mtcnnError(w.left._tag, `${file}: ${w.left.message}`, w.left.cause))
    : (w as Result<MtcnnError, AnyNetWeights>);
};
