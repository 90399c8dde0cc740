/**
 * Test and bench helper: the embedded weights as tensors per net, and one MTCNN convolution layer run as
 * the nets run it (`tf.fused.conv2d`, bias, PReLU where the layer has one), on the current
 * backend. Used by the kernel benches and tests/winograd4_test.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { loadDefaultWeights } from "../weights.ts";
import { toTensors } from "../train.ts";

/** Parameters by name, per net. */
export type NetParams = Record<string, Record<string, tf.Tensor>>;

/** The embedded weights of the three nets as tensors (the caller's to keep or dispose). */
export const defaultNetTensors = async (): Promise<NetParams> => {
  const w = await loadDefaultWeights();
  if (w._tag === "Left") throw new Error(w.left.message);
  return {
    pnet: toTensors(w.right.pnet),
    rnet: toTensors(w.right.rnet),
    onet: toTensors(w.right.onet),
  } as unknown as NetParams;
};

/**
 * Layer `layer` of `net` on `x`: its kernel and bias, PReLU with `prelu`'s alpha, or linear when
 * `prelu` is "".
 */
export const convLayer = (
  nets: NetParams,
  net: string,
  layer: string,
  prelu: string,
  x: tf.Tensor4D,
): tf.Tensor4D => {
  const t = nets[net];
  return tf.fused.conv2d({
    x,
    filter: t[`${layer}/kernel`] as tf.Tensor4D,
    strides: 1,
    pad: "valid",
    bias: t[`${layer}/bias`],
    activation: prelu ? "prelu" : "linear",
    preluActivationWeights: prelu ? t[`${prelu}/alpha`] : undefined,
  });
};
