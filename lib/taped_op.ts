/**
 * An op with a gradient of our own on tfjs's tape, through the engine method `tf.customGrad` is
 * built on (tfjs-core 4.x). Unlike `tf.customGrad`, each input's gradient is a function the
 * engine calls only for inputs that lead to what is differentiated (a net's first layer needs
 * no input gradient), and the forward pass may save any tensors for the backward pass.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** What `runTapedOp` runs: the forward pass and each input's gradient. */
export interface TapedOp {
  /** The op's inputs, by name (the gradient functions use the same names). */
  readonly inputs: tf.NamedTensorMap;
  /** Computes the output; `save` keeps tensors for `backward` (only while a tape records). */
  readonly forward: (save: (ts: tf.Tensor[]) => void) => tf.Tensor;
  /** Called once per backward pass with dL/dy and the saved tensors. */
  readonly backward: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  isTapeOn(): boolean;
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: (ts: tf.Tensor[]) => void) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
    inputs: tf.NamedTensorMap;
  }): tf.Tensor;
}

const engine = (): EngineInternals => tf.engine() as unknown as EngineInternals;

/** Whether a gradient tape is recording (inside `tf.grad`, `tf.variableGrads`, ...). */
export const tapeIsOn = (): boolean => engine().isTapeOn();

/** Runs `op` as one node of the tape. Borrows the inputs; returns a new tensor. */
export const runTapedOp = <T extends tf.Tensor>(op: TapedOp): T =>
  engine().runKernelFunc({
    inputs: op.inputs,
    forwardFunc: (_, save) => op.forward(save),
    backwardsFunc: op.backward,
  }) as T;
