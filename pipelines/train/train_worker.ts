/**
 * A training worker (pipelines/train/parallel_train.ts): the net's variables on its own wasm
 * backend with our training kernels; per step, the weights from shared memory, its part of the
 * batch, its share of the loss (waiting inside the gradient scope for OHEM's choice over the
 * whole batch) and its gradients into shared memory.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import * as tf from "@tensorflow/tfjs";
import { describe } from "../../lib/errors.ts";
import type { BatchShare } from "../../lib/train/loss_part.ts";
import { mtcnnLossOp } from "../../lib/train/loss_op.ts";
import { NET_INPUT_SIZE, NET_SPECS, type NetName } from "../../lib/spec.ts";
import { useBackend } from "../edge/backend.ts";
import type { FromTrainWorker, ToTrainWorker } from "./parallel_train.ts";
import { forwardHeads } from "./train_step.ts";
import { registerWasmGradKernels } from "./wasm_grad_kernels.ts";

type Init = Extract<ToTrainWorker, { kind: "init" }>;
let state:
  | { init: Init; vars: Record<string, tf.Variable>; offsets: number[]; total: number }
  | undefined;

const post = (m: FromTrainWorker) => self.postMessage(m);

const start = async (m: Init) => {
  const b = await useBackend("wasm");
  if (b._tag === "Left") throw new Error(b.left.message);
  registerWasmGradKernels();
  const vars: Record<string, tf.Variable> = {};
  const offsets: number[] = [];
  let total = 0;
  for (const p of NET_SPECS[m.net]) {
    offsets.push(total);
    total += p.shape.reduce((a, c) => a * c, 1);
    vars[p.name] = tf.tidy(() => tf.variable(tf.zeros([...p.shape]), true, undefined, "float32"));
  }
  state = { init: m, vars, offsets, total };
};

const step = (m: Extract<ToTrainWorker, { kind: "step" }>) => {
  if (!state) throw new Error("step before init");
  const { init, vars, offsets, total } = state;
  const net: NetName = init.net;
  const specs = NET_SPECS[net];
  const weights = new Float32Array(init.weights);
  const ctrl = new Int32Array(init.ctrl);
  const b = m.batch;
  const s = NET_INPUT_SIZE[net];
  const loss = tf.tidy(() => {
    specs.forEach((p, i) => {
      const len = p.shape.reduce((a, c) => a * c, 1);
      vars[p.name].assign(tf.tensor(weights.slice(offsets[i], offsets[i] + len), [...p.shape]));
    });
    const x = tf.tensor4d(b.images, [b.size, s, s, 3]);
    const targets = {
      labels: b.labels,
      box: tf.tensor2d(b.box, [b.size, 4]),
      landmarks: tf.tensor2d(b.landmarks, [b.size, 10]),
    };
    const choose = (ce: Float32Array): BatchShare => {
      new Float32Array(init.ce).set(ce, m.start);
      post({ kind: "ce", id: m.id });
      // OHEM chooses over the whole batch on the main thread; wait for its mask.
      Atomics.wait(ctrl, 0, m.generation);
      const mv = new Float32Array(init.mask);
      const max = mv.length - 3;
      return {
        clsMask: mv.slice(m.start, m.start + b.size),
        clsCount: mv[max],
        boxCount: mv[max + 1],
        landmarkCount: mv[max + 2],
      };
    };
    const list = m.trainable.map((n) => vars[n]);
    const { value, grads } = tf.variableGrads(
      () => mtcnnLossOp(m.loss, choose)(forwardHeads(net, vars as never)(x), targets),
      list,
    );
    const out = new Float32Array(init.grads, init.index * total * 4, total);
    out.fill(0);
    m.trainable.forEach((n, j) => {
      const i = specs.findIndex((p) => p.name === n);
      out.set(grads[list[j].name].dataSync() as Float32Array, offsets[i]);
    });
    return value.dataSync()[0];
  });
  post({ kind: "done", id: m.id, loss });
};

self.onmessage = async (e: MessageEvent<ToTrainWorker>) => {
  const m = e.data;
  try {
    if (m.kind === "init") {
      await start(m);
      post({ kind: "ready" });
    } else step(m);
  } catch (err) {
    post({ kind: "error", message: describe(err) });
  }
};
