/**
 * Layer tables of PNet, RNet and ONet in the manner of Keras `Model.summary()`: each layer with
 * its output shape and parameter count, and the totals (6,632 / 100,178 / 389,040). Kernel and
 * alpha shapes come from `NET_SPECS` (lib/spec.ts); the layer order is that of lib/nets/*.ts
 * and docs/networks.md. Pure: no tensors, no runtime.
 *
 * @module
 */
import { NET_SPECS, type NetName } from "../spec.ts";

/** One row of a summary table. */
export interface SummaryRow {
  /** Layer name; conv, dense and PReLU names are those of the parameters (`conv1`, `prelu1`). */
  readonly name: string;
  /** Keras layer type, e.g. `Conv2D`, `PReLU`, `MaxPooling2D`, `Dense`. */
  readonly type: string;
  /** Output shape without the batch axis. */
  readonly shape: readonly number[];
  /** Number of parameters (0 for layers without weights). */
  readonly params: number;
}

type Step =
  | { readonly kind: "conv" | "dense" | "prelu"; readonly name: string; readonly from?: string }
  | { readonly kind: "pool"; readonly name: string; readonly size: number; readonly same: boolean }
  | { readonly kind: "permute" | "flatten" | "softmax"; readonly name: string };

const conv = (name: string, from?: string): Step => ({ kind: "conv", name, from });
const dense = (name: string, from?: string): Step => ({ kind: "dense", name, from });
const prelu = (name: string): Step => ({ kind: "prelu", name });
const pool = (name: string, size: number, same: boolean): Step => ({
  kind: "pool",
  name,
  size,
  same,
});

/** The input side each table uses: the nets' training sizes (PNet takes any side >= 12). */
export const SUMMARY_INPUT: Readonly<Record<NetName, number>> = { pnet: 12, rnet: 24, onet: 48 };

/** Layers in forward order; a head starts `from` a named layer instead of the previous one. */
const LAYERS: Readonly<Record<NetName, readonly Step[]>> = {
  pnet: [
    conv("conv1"),
    prelu("prelu1"),
    pool("pool1", 2, true),
    conv("conv2"),
    prelu("prelu2"),
    conv("conv3"),
    prelu("prelu3"),
    conv("conv4-1"),
    conv("conv4-2", "prelu3"),
    { kind: "softmax", name: "prob1" },
  ],
  rnet: [
    conv("conv1"),
    prelu("prelu1"),
    pool("pool1", 3, true),
    conv("conv2"),
    prelu("prelu2"),
    pool("pool2", 3, false),
    conv("conv3"),
    prelu("prelu3"),
    { kind: "permute", name: "permute" },
    { kind: "flatten", name: "flatten" },
    dense("fc4"),
    prelu("prelu4"),
    dense("fc5-1"),
    dense("fc5-2", "prelu4"),
    { kind: "softmax", name: "prob1" },
  ],
  onet: [
    conv("conv1"),
    prelu("prelu1"),
    pool("pool1", 3, true),
    conv("conv2"),
    prelu("prelu2"),
    pool("pool2", 3, false),
    conv("conv3"),
    prelu("prelu3"),
    pool("pool3", 2, true),
    conv("conv4"),
    prelu("prelu4"),
    { kind: "permute", name: "permute" },
    { kind: "flatten", name: "flatten" },
    dense("fc5"),
    prelu("prelu5"),
    dense("fc6-1"),
    dense("fc6-2", "prelu5"),
    dense("fc6-3", "prelu5"),
    { kind: "softmax", name: "prob1" },
  ],
};

const TYPES: Readonly<Record<Step["kind"], string>> = {
  conv: "Conv2D",
  dense: "Dense",
  prelu: "PReLU",
  pool: "MaxPooling2D",
  permute: "Permute",
  flatten: "Flatten",
  softmax: "Softmax",
};

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The spec shape of `name` in `net` (every name used above exists in NET_SPECS). */
const specShape = (net: NetName, name: string): readonly number[] => {
  const p = NET_SPECS[net].find((s) => s.name === name);
  if (!p) throw new Error(`summary: ${net} has no parameter ${name}`); // a bug in LAYERS
  return p.shape;
};

/**
 * The rows of `net`'s table for an input of `SUMMARY_INPUT[net]` pixels square, the input row
 * first.
 *
 * @example
 * ```ts
 * import { summaryRows } from "@mtcnn/mtcnn/train";
 * const rows = summaryRows("rnet");
 * console.log(rows.at(-1)); // { name: "prob1", type: "Softmax", shape: [2], params: 0 }
 * ```
 */
export const summaryRows = (net: NetName): readonly SummaryRow[] => {
  const side = SUMMARY_INPUT[net];
  const rows: SummaryRow[] = [{
    name: "input",
    type: "InputLayer",
    shape: [side, side, 3],
    params: 0,
  }];
  const byName = new Map<string, readonly number[]>();
  let prev: readonly number[] = rows[0].shape;
  for (const step of LAYERS[net]) {
    const from = "from" in step && step.from ? byName.get(step.from)! : prev;
    let shape: readonly number[];
    let params = 0;
    if (step.kind === "conv") {
      const [k, , , out] = specShape(net, `${step.name}/kernel`);
      shape = [from[0] - k + 1, from[1] - k + 1, out]; // stride 1, VALID
      params = size(specShape(net, `${step.name}/kernel`)) + out;
    } else if (step.kind === "dense") {
      const [, out] = specShape(net, `${step.name}/kernel`);
      shape = [out];
      params = size(specShape(net, `${step.name}/kernel`)) + out;
    } else if (step.kind === "prelu") {
      shape = from;
      params = size(specShape(net, `${step.name}/alpha`));
    } else if (step.kind === "pool") {
      // Stride 2: SAME keeps ceil(n / 2) positions, VALID the windows that fit.
      const out = (n: number) => step.same ? Math.ceil(n / 2) : Math.floor((n - step.size) / 2) + 1;
      shape = [out(from[0]), out(from[1]), from[2]];
    } else if (step.kind === "permute") {
      shape = [from[1], from[0], from[2]]; // H and W swapped before flattening
    } else if (step.kind === "flatten") {
      shape = [size(from)];
    } else {
      shape = from;
    }
    rows.push({ name: step.name, type: TYPES[step.kind], shape, params });
    byName.set(step.name, shape);
    prev = shape;
  }
  return rows;
};

const TITLES: Readonly<Record<NetName, string>> = { pnet: "PNet", rnet: "RNet", onet: "ONet" };

/**
 * `net`'s layer table as text, like Keras `Model.summary()`: layer (type), output shape with
 * `None` for the batch, parameter count, and the total.
 *
 * @example
 * ```ts
 * import { summary } from "@mtcnn/mtcnn/train";
 * console.log(summary("pnet")); // ... "Total params: 6,632"
 * ```
 */
export const summary = (net: NetName): string => {
  const rows = summaryRows(net);
  const cells = rows.map((r) => [
    `${r.name} (${r.type})`,
    `(None, ${r.shape.join(", ")})`,
    r.params.toLocaleString("en-US"),
  ]);
  const head = ["Layer (type)", "Output Shape", "Param #"];
  const w = [0, 1].map((i) => Math.max(head[i].length, ...cells.map((c) => c[i].length)) + 3);
  const line = (c: readonly string[]) => (c[0].padEnd(w[0]) + c[1].padEnd(w[1]) + c[2]).trimEnd();
  const rule = (ch: string) => ch.repeat(w[0] + w[1] + 8);
  const total = rows.reduce((n, r) => n + r.params, 0);
  const note = net === "pnet" ? " (fully convolutional: any side >= 12, shown at 12)" : "";
  return [
    `Model: "${TITLES[net]}"${note}`,
    rule("_"),
    line(head),
    rule("="),
    ...cells.map(line),
    rule("="),
    `Total params: ${total.toLocaleString("en-US")}`,
  ].join("\n");
};
