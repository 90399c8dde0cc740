/**
 * Weights in and out: the embedded pretrained weights, the Python `mtcnn` package's `.lz4`
 * files, joblib pickles and tfjs manifests, read, written (atomically) and converted; every
 * record checked (shapes, finite values) with errors naming the layer.
 *
 * ```ts
 * import { readWeights, writeNetWeightsFile } from "@mtcnn/mtcnn/weights";
 *
 * const w = await readWeights({ onet: "my_onet.lz4" }); // PNet, RNet: the embedded ones
 * if (w._tag === "Right") await writeNetWeightsFile("onet.json", w.right.onet); // tfjs
 * ```
 *
 * @module
 */

export {
  checkWeights,
  type MtcnnWeights,
  type NetWeights,
  type ONetWeights,
  type PNetWeights,
  type RNetWeights,
  type ShapedArray,
  weightsFromArrays,
  weightsToArrays,
} from "./lib/weights/record.ts";
export { DEFAULT_WEIGHTS_DIGEST, loadDefaultWeights } from "./lib/weights/default_weights.ts";
export {
  NET_INPUT_SIZE,
  NET_SPECS,
  type NetName,
  type ONetParam,
  paramCount,
  type ParamOf,
  type ParamSpec,
  type PNetParam,
  type RNetParam,
} from "./lib/spec.ts";
export {
  type MtcnnWeightsSources,
  readNetWeights,
  readWeights,
  type WeightsSource,
} from "./pipelines/edge/weights/sources.ts";
export {
  readAnyNetWeightsFile,
  type WeightsFormat,
  weightsFormatOf,
  writeNetWeightsFile,
  type WriteWeightsOptions,
} from "./pipelines/edge/weights/files.ts";
export {
  type AnyNetWeights,
  decodeAnyNetWeights,
  decodeNetWeights,
  encodeNetWeights,
} from "./lib/codecs/weights_codec.ts";
export {
  decodeLz4Frame,
  encodeLz4Frame,
  isLz4Frame,
  type Lz4DecodeOptions,
} from "./lib/codecs/lz4_frame.ts";
export { decodeJoblib, type JoblibDecodeOptions } from "./lib/codecs/joblib.ts";
export { encodeJoblib, type JoblibEncodeOptions } from "./lib/codecs/joblib_write.ts";
export {
  decodeTfjsTensors,
  encodeTfjsTensors,
  type NamedArray,
  parseTfjsManifest,
  type TfjsFiles,
  type TfjsManifest,
  type TfjsWeightGroup,
  type TfjsWeightSpec,
} from "./lib/codecs/tfjs_weights.ts";
export {
  netWeightsFromTfjs,
  netWeightsToTfjs,
  type TfjsNamingOptions,
} from "./lib/codecs/tfjs_net_weights.ts";
export type { Failure, Result, Success } from "./lib/result.ts";
export type { MtcnnError, MtcnnErrorTag } from "./lib/errors.ts";
