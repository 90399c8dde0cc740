/**
 * Stages made straight from weights in any supported form, as the Python package's
 * `StagePNet(weights="pnet.lz4")`: a file path (`.lz4`, `.pkl`, `.joblib`, tfjs `.json`), the
 * file's bytes, or a weight record. Each holds its tensors until `dispose()`.
 *
 * @module
 */
import * as E from "fp-ts/Either.js";
import type { MtcnnError } from "../lib/errors.ts";
import type { NetName } from "../lib/spec.ts";
import { disposeTensors, type NetTensors, toTensors } from "../lib/nets/tensors.ts";
import type { TaskResult } from "../lib/result.ts";
import { output, refine, sequence } from "./cascade.ts";
import { propose } from "./stages/propose.ts";
import { pyramid } from "./stages/pyramid.ts";
import type { Stage } from "./state.ts";
import { resolveNetWeights, type WeightsSource } from "./weights_source.ts";

/** A stage with the tensors it owns. */
export interface OwnedStage {
  /** The stage, for a cascade's list. */
  readonly stage: Stage;
  /** Frees the stage's weight tensors. */
  dispose(): void;
}

const owned = <N extends NetName>(
  net: N,
  source: WeightsSource<N>,
  make: (t: NetTensors<N>) => Stage,
): TaskResult<MtcnnError, OwnedStage> =>
async () => {
  const w = await resolveNetWeights(net, source)();
  if (w._tag === "Left") return w;
  const t = toTensors(w.right);
  return E.right({ stage: make(t), dispose: () => disposeTensors(t) });
};

/**
 * The PNet stage (pyramid, then PNet) from weights in any form.
 *
 * @example
 * ```ts
 * import { stagePNet } from "@mtcnn/mtcnn";
 * const r = await stagePNet("no/such/pnet.lz4")();
 * console.log(r._tag === "Left" && r.left._tag); // "IoError"
 * ```
 */
export const stagePNet = (source: WeightsSource<"pnet">): TaskResult<MtcnnError, OwnedStage> =>
  owned("pnet", source, (t) => sequence([pyramid, propose(t)]));

/**
 * The RNet stage (crop 24, then RNet) from weights in any form.
 *
 * @example
 * ```ts
 * import { stageRNet } from "@mtcnn/mtcnn";
 * const r = await stageRNet("rnet.lz4")();
 * if (r._tag === "Right") r.right.dispose();
 * else console.log(r.left.message);
 * ```
 */
export const stageRNet = (source: WeightsSource<"rnet">): TaskResult<MtcnnError, OwnedStage> =>
  owned("rnet", source, refine);

/**
 * The ONet stage (crop 48, then ONet) from weights in any form.
 *
 * @example
 * ```ts
 * import { stageONet } from "@mtcnn/mtcnn";
 * const r = await stageONet("onet.lz4")();
 * if (r._tag === "Right") r.right.dispose();
 * else console.log(r.left.message);
 * ```
 */
export const stageONet = (source: WeightsSource<"onet">): TaskResult<MtcnnError, OwnedStage> =>
  owned("onet", source, output);
