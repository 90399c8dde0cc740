/**
 * `train`: trains PNet, RNet or ONet on a set made by `dataset`.
 *
 * @module
 */
import { join } from "node:path";
import { progressBar } from "./progress.ts";
import { parseArgs } from "./args.ts";
import { backendFrom, printError } from "./common.ts";
import { useBackend } from "../mod.ts";
import { NET_SPECS, type NetName } from "../weights.ts";
import { exportNetWeights, loadNetWeights, TASK_WEIGHTS, trainNet } from "../train.ts";
import type { LrSchedule } from "../train.ts";
import { outputFileProblem, prepareOutputFolder } from "./output_names.ts";
import { registerWasmGradKernels } from "../pipelines/train/wasm_grad_kernels.ts";

/** The help text. */
export const TRAIN_HELP =
  `Usage: deno task train --net pnet|rnet|onet --data DIR --out DIR [options]
       deno task train evaluate --list FILE [--pnet W --rnet W --onet W] (see its --help)

Trains one network with Adam on a set made by \`deno task dataset\`. Losses: cross-entropy with
online hard example mining (hardest 70%), box regression, landmark MSE, weighted per task
(PNet/RNet 1/0.5/0.5, ONet 1/0.5/1). Writes DIR/checkpoint.bin atomically every N steps and at
each epoch's end; --resume continues from it exactly (same result as an uninterrupted run).
A progress bar (loss, samples/s) is drawn on stderr when it is a terminal; log lines go to
stderr, a JSON summary to stdout.

Options:
  --net NAME              pnet, rnet or onet (required)
  --data DIR              training set (required)
  --val DIR               validation set: metrics after every epoch
  --out DIR               checkpoint folder (required)
  --epochs N              epochs (default 1)
  --batch-size N          samples per step (default 128)
  --lr X                  base learning rate (default 0.001)
  --lr-schedule S         constant, step or cosine (default: to 0 at the last step)
  --lr-every N            step schedule: steps between decays (default: one epoch)
  --lr-gamma X            step schedule: decay factor (default 0.1)
  --warmup N              linear warm-up steps (default 0)
  --seed N                seed of the data order, augmentation and random init (default 1)
  --init W                random (default), default (pretrained), a .lz4 file or a checkpoint
  --train-params L,...    train only these layers (e.g. fc6-2); the rest stays fixed
  --task-weights C,B,L    weights of the classification, box and landmark losses
  --box-loss mse|smoothL1 box loss (default mse)
  --ohem X                fraction of classification samples kept (default 0.7)
  --flip                  mirror samples at random (landmarks mirrored with them)
  --distill W             keep the --init weights' face scores and boxes: add W x the squared
                          difference to a frozen copy of them (fine-tuning landmarks)
  --checkpoint-every N    steps between checkpoints (default 200)
  --resume                continue from OUT/checkpoint.bin if it exists
  --overwrite             start again over OUT/checkpoint.bin, replace --export files
                          (default: refuse either)
  --max-steps N           stop after N steps in total (checkpoint first)
  --export STEM           write STEM.lz4 and STEM.json (+ shard) tfjs weights at the end
  --backend B             auto (default: wasm, else cpu), wasm or cpu
  --workers N             data-parallel steps over N worker threads (wasm; default 0: this
                          thread); the same weights up to float rounding, --resume exact with
                          the same N
  --log-every N           steps between log lines (default 100)
  -h, --help              this help
`;

const VALUES = [
  "net",
  "data",
  "val",
  "out",
  "epochs",
  "batch-size",
  "lr",
  "lr-schedule",
  "lr-every",
  "lr-gamma",
  "warmup",
  "seed",
  "init",
  "train-params",
  "task-weights",
  "box-loss",
  "ohem",
  "checkpoint-every",
  "max-steps",
  "export",
  "backend",
  "log-every",
  "distill",
  "workers",
];

/** Runs the command; returns the exit code. */
export const run = async (args: string[]): Promise<number> => {
  if (args[0] === "evaluate") return (await import("./train_evaluate.ts")).run(args.slice(1));
  const p = parseArgs(args, { values: VALUES, flags: ["help", "resume", "flip", "overwrite"] });
  if (typeof p === "string") return (printError(`${p} (see --help)`), 2);
  const o = p.options;
  if (o.help) return (console.log(TRAIN_HELP), 0);
  const net = o.net as NetName;
  if (!["pnet", "rnet", "onet"].includes(net)) {
    return (printError("--net must be pnet, rnet or onet"), 2);
  }
  if (typeof o.data !== "string" || typeof o.out !== "string") {
    return (printError("--data and --out are required (see --help)"), 2);
  }
  const outError = await prepareOutputFolder("--out", o.out);
  if (outError) return (printError(outError), 2);
  if (!o.resume && !o.overwrite && await outputFileProblem(join(o.out, "checkpoint.bin"), false)) {
    return (printError(
      `--out ${o.out} already holds a checkpoint: add --resume to continue it, or --overwrite to start again`,
    ),
      2);
  }
  if (typeof o.export === "string") {
    for (const ext of [".lz4", ".json"]) {
      const why = await outputFileProblem(o.export + ext, o.overwrite === true);
      if (why) return (printError(`--export ${o.export + ext} ${why}`), 2);
    }
  }
  const num = (k: string, d: number) => (o[k] === undefined ? d : Number(o[k]));
  const n = {
    epochs: num("epochs", 1),
    batch: num("batch-size", 128),
    lr: num("lr", 0.001),
    gamma: num("lr-gamma", 0.1),
    warmup: num("warmup", 0),
    seed: num("seed", 1),
    ohem: num("ohem", 0.7),
    distill: num("distill", 0),
    every: num("checkpoint-every", 200),
    logEvery: num("log-every", 100),
    workers: num("workers", 0),
  };
  const bad = Object.entries(n).find(([, v]) => !Number.isFinite(v) || v < 0);
  if (bad) return (printError(`--${bad[0]} must be a non-negative number`), 2);
  if (n.batch < 1 || n.ohem > 1) return (printError("--batch-size >= 1 and --ohem <= 1"), 2);
  if (!Number.isInteger(n.workers) || n.workers > 64) {
    return (printError("--workers must be an integer from 0 to 64"), 2);
  }
  if (n.workers > 1 && n.distill > 0) {
    return (printError("--workers does not go with --distill"), 2);
  }
  for (const k of ["max-steps", "lr-every"]) {
    const v = o[k] === undefined ? 1 : Number(o[k]);
    if (!(Number.isInteger(v) && v >= 1)) {
      return (printError(`--${k} must be a whole number >= 1, got ${o[k]}`), 2);
    }
  }
  const tw = typeof o["task-weights"] === "string"
    ? o["task-weights"].split(",").map(Number)
    : undefined;
  if (tw && (tw.length !== 3 || tw.some((v) => !Number.isFinite(v)))) {
    return (printError("--task-weights takes three numbers: C,B,L"), 2);
  }
  const boxLoss = (o["box-loss"] ?? "mse") as "mse" | "smoothL1";
  if (!["mse", "smoothL1"].includes(boxLoss)) {
    return (printError("--box-loss must be mse or smoothL1"), 2);
  }
  const layers = typeof o["train-params"] === "string" ? o["train-params"].split(",") : undefined;
  const trainable = layers
    ? NET_SPECS[net].map((s) => s.name).filter((s) => layers.includes(s.split("/")[0]))
    : undefined;
  if (trainable?.length === 0) return (printError(`--train-params matches no ${net} layer`), 2);
  const kind = (o["lr-schedule"] ?? "cosine") as LrSchedule["kind"];
  if (!["constant", "step", "cosine"].includes(kind)) return (printError("bad --lr-schedule"), 2);
  const be = backendFrom(o);
  if ("error" in be) return (printError(be.error), 2);
  const b = await useBackend(be.backend);
  if (b._tag === "Left") return (printError(b.left), 1);
  if (b.right === "wasm") registerWasmGradKernels();
  const init = await loadNetWeights(net, (o.init as string) ?? "random", n.seed);
  if (init._tag === "Left") return (printError(init.left), 1);
  // Only for the schedule's length; trainNet reports a missing or damaged index itself.
  let idx: { total?: number } = {};
  try {
    idx = JSON.parse(await Deno.readTextFile(`${o.data}/index.json`));
  } catch {
    // reported by trainNet
  }
  const perEpoch = Math.max(1, Math.floor((idx.total ?? 0) / n.batch));
  const lr: LrSchedule = {
    kind,
    base: n.lr,
    gamma: n.gamma,
    warmup: n.warmup,
    every: o["lr-every"] === undefined ? perEpoch : Number(o["lr-every"]),
    total: perEpoch * n.epochs,
  };
  const w = TASK_WEIGHTS[net];
  const log = (l: string) => console.error(`[${new Date().toISOString()}] ${l}`);
  log(`training ${net} on ${b.right}`);
  const bar = progressBar(net);
  const r = await trainNet({
    net,
    data: o.data,
    val: o.val as string | undefined,
    out: o.out,
    epochs: n.epochs,
    batchSize: n.batch,
    seed: n.seed,
    lr,
    init: init.right,
    trainable,
    loss: {
      weights: tw ? { cls: tw[0], box: tw[1], landmark: tw[2] } : w,
      boxLoss,
      ohemRatio: n.ohem,
    },
    checkpointEvery: n.every,
    distill: n.distill,
    resume: !!o.resume,
    flip: !!o.flip,
    maxSteps: o["max-steps"] === undefined ? undefined : Number(o["max-steps"]),
    log,
    logEvery: n.logEvery,
    workers: n.workers,
    onProgress: (i, total, text) => bar.update(i, total, text),
  });
  bar.done();
  if (r._tag === "Left") return (printError(r.left), 1);
  let exported: string[] = [];
  if (typeof o.export === "string") {
    const e = await exportNetWeights(r.right.weights, o.export);
    if (e._tag === "Left") return (printError(e.left), 1);
    exported = e.right;
  }
  console.log(JSON.stringify({
    net,
    backend: b.right,
    steps: r.right.steps,
    samplesPerSecond: +r.right.samplesPerSecond.toFixed(1),
    history: r.right.history,
    exported,
  }));
  return 0;
};

if (import.meta.main) Deno.exit(await run(Deno.args));
