/**
 * The exact parameter lists of PNet, RNet and ONet, in Keras `get_weights()` order (the order
 * of the Python package's `.lz4` lists). Layouts from `docs/networks.md`: conv kernels HWIO,
 * dense kernels [in, out], conv PReLU alphas (1, 1, C), dense PReLU alphas (C).
 *
 * @module
 */

/** The three networks of the cascade. */
export type NetName = "pnet" | "rnet" | "onet";

/** PNet's parameters, in order. */
export type PNetParam =
  | "conv1/kernel"
  | "conv1/bias"
  | "prelu1/alpha"
  | "conv2/kernel"
  | "conv2/bias"
  | "prelu2/alpha"
  | "conv3/kernel"
  | "conv3/bias"
  | "prelu3/alpha"
  | "conv4-1/kernel"
  | "conv4-1/bias"
  | "conv4-2/kernel"
  | "conv4-2/bias";

/** RNet's parameters, in order. */
export type RNetParam =
  | "conv1/kernel"
  | "conv1/bias"
  | "prelu1/alpha"
  | "conv2/kernel"
  | "conv2/bias"
  | "prelu2/alpha"
  | "conv3/kernel"
  | "conv3/bias"
  | "prelu3/alpha"
  | "fc4/kernel"
  | "fc4/bias"
  | "prelu4/alpha"
  | "fc5-1/kernel"
  | "fc5-1/bias"
  | "fc5-2/kernel"
  | "fc5-2/bias";

/** ONet's parameters, in order. */
export type ONetParam =
  | "conv1/kernel"
  | "conv1/bias"
  | "prelu1/alpha"
  | "conv2/kernel"
  | "conv2/bias"
  | "prelu2/alpha"
  | "conv3/kernel"
  | "conv3/bias"
  | "prelu3/alpha"
  | "conv4/kernel"
  | "conv4/bias"
  | "prelu4/alpha"
  | "fc5/kernel"
  | "fc5/bias"
  | "prelu5/alpha"
  | "fc6-1/kernel"
  | "fc6-1/bias"
  | "fc6-2/kernel"
  | "fc6-2/bias"
  | "fc6-3/kernel"
  | "fc6-3/bias";

/** The parameter names of network `N`. */
export type ParamOf<N extends NetName> = N extends "pnet" ? PNetParam
  : N extends "rnet" ? RNetParam
  : ONetParam;

/** One parameter: its name and its exact shape. */
export interface ParamSpec {
  /** `layer/kind`, e.g. `conv1/kernel`. */
  readonly name: string;
  /** The shape every copy of this parameter must have. */
  readonly shape: readonly number[];
}

const conv = (name: string, k: number, cin: number, cout: number, prelu?: string) => [
  { name: `${name}/kernel`, shape: [k, k, cin, cout] },
  { name: `${name}/bias`, shape: [cout] },
  ...(prelu ? [{ name: `${prelu}/alpha`, shape: [1, 1, cout] }] : []),
];

const dense = (name: string, cin: number, cout: number, prelu?: string) => [
  { name: `${name}/kernel`, shape: [cin, cout] },
  { name: `${name}/bias`, shape: [cout] },
  ...(prelu ? [{ name: `${prelu}/alpha`, shape: [cout] }] : []),
];

/**
 * Every network's parameters in Keras `get_weights()` order.
 *
 * @example
 * ```ts
 * import { NET_SPECS } from "@mtcnn/mtcnn/weights";
 * console.log(NET_SPECS.pnet[0]); // { name: "conv1/kernel", shape: [3, 3, 3, 10] }
 * ```
 */
export const NET_SPECS: Readonly<Record<NetName, readonly ParamSpec[]>> = {
  pnet: [
    ...conv("conv1", 3, 3, 10, "prelu1"),
    ...conv("conv2", 3, 10, 16, "prelu2"),
    ...conv("conv3", 3, 16, 32, "prelu3"),
    ...conv("conv4-1", 1, 32, 4),
    ...conv("conv4-2", 1, 32, 2),
  ],
  rnet: [
    ...conv("conv1", 3, 3, 28, "prelu1"),
    ...conv("conv2", 3, 28, 48, "prelu2"),
    ...conv("conv3", 2, 48, 64, "prelu3"),
    ...dense("fc4", 576, 128, "prelu4"),
    ...dense("fc5-1", 128, 4),
    ...dense("fc5-2", 128, 2),
  ],
  onet: [
    ...conv("conv1", 3, 3, 32, "prelu1"),
    ...conv("conv2", 3, 32, 64, "prelu2"),
    ...conv("conv3", 3, 64, 64, "prelu3"),
    ...conv("conv4", 2, 64, 128, "prelu4"),
    ...dense("fc5", 1152, 256, "prelu5"),
    ...dense("fc6-1", 256, 4),
    ...dense("fc6-2", 256, 10),
    ...dense("fc6-3", 256, 2),
  ],
};

/**
 * The side of the square input of RNet (24) and ONet (48); PNet takes any size >= 12.
 *
 * @example
 * ```ts
 * import { NET_INPUT_SIZE } from "@mtcnn/mtcnn/weights";
 * console.log(NET_INPUT_SIZE.onet); // 48
 * ```
 */
export const NET_INPUT_SIZE: Readonly<Record<NetName, number>> = { pnet: 12, rnet: 24, onet: 48 };

/**
 * Number of elements of a shape.
 */
export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Total number of trainable parameters of a network (PNet 6,632, RNet 100,178, ONet 389,040).
 *
 * @example
 * ```ts
 * import { paramCount } from "@mtcnn/mtcnn/weights";
 * console.log(paramCount("pnet")); // 6632
 * ```
 */
export const paramCount = (net: NetName): number =>
  NET_SPECS[net].reduce((n, p) => n + sizeOf(p.shape), 0);
