/**
 * A training worker (pipelines/train/parallel_train.ts): the net's variables on its own wasm
 * backend with our training kernels; per step, the weights from shared memory, its part of the
 * batch, its share of the loss (waiting inside the gradient scope for the other parts'
 * cross-entropies, then OHEM's choice over the whole batch) and its gradients into shared memory.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import * as tf from "@tensorflow/tfjs";
import { describe } from "../../lib/errors.ts";
import { type BatchShare, batchShare } from "../../lib/train/loss_part.ts";
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
      const all = new Float32Array(init.ce, 0, m.total);
      all.set(ce, m.start);
      // A barrier: the last part to arrive opens the next generation for the others.
      if (Atomics.add(ctrl, 1, 1) + 1 === m.parts) {
        Atomics.store(ctrl, 1, 0);
        Atomics.add(ctrl, 0, 1);
        Atomics.notify(ctrl, 0);
      } else Atomics.wait(ctrl, 0, m.generation);
      // OHEM over the whole batch, the same choice in every worker.
      const plan = batchShare(all.slice(), new Int8Array(init.labels, 0, m.total), m.loss);
      return { ...plan, clsMask: plan.clsMask.slice(m.start, m.start + b.size) };
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
