/**
 * Gradient kernels the tfjs wasm backend (4.22) lacks or gets wrong, built from kernels it
 * has, so that the nets can be trained on wasm:
 * - `Conv2DBackpropFilter` (the filter gradient of every convolution) is missing;
 * - `MaxPoolGrad` exists but sends the gradient to the wrong cells (measured against the cpu
 *   backend: a 2x2/2 pool on a 4x4 input routes -0.66 to cell 0 instead of cell 5), which
 *   silently corrupts every layer below a pooling layer. We replace it.
 * - `Conv2DBackpropInput` is right but slow (2.6 s where the same work as a forward `conv2d`
 *   takes 0.3 s, ONet conv2 at batch 64); for stride 1 we run it as a forward convolution.
 * The ops behind the PReLU and softmax gradients are native and agree with cpu
 * (tests/wasm_grad_kernels_test.ts).
 *
 * The filter gradient is itself a convolution: dW[i, j, ci, co] = sum over n, y, x of
 * X[n, y*s + i, x*s + j, ci] * dY[n, y, x, co]. Treating the batch as the channel axis
 * (X transposed to [Cin, H, W, N], dY to [OH, OW, N, Cout]) turns it into one `conv2d` with
 * dilation s, whose output [Cin, kh, kw, Cout] is transposed back to HWIO.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { installWasmTrainKernels } from "./wasm_train_kernels.ts";

/** Kernel names this module registers for the wasm backend. */
export const WASM_GRAD_KERNELS: readonly string[] = [
  "Conv2DBackpropFilter",
  "MaxPoolGrad",
  "Conv2DBackpropInput",
];

interface BackpropFilterAttrs {
  readonly strides: number | [number, number];
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  readonly dataFormat: "NHWC" | "NCHW";
  readonly dimRoundingMode?: "floor" | "round" | "ceil";
  readonly filterShape: [number, number, number, number];
}

/**
 * The filter gradient of a 2-D convolution (NHWC, dilation 1) from ops the backend has. Borrows
 * `x` and `dy`, returns a new tensor of shape `filterShape`.
 */
export const conv2dFilterGrad = (
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: BackpropFilterAttrs,
): tf.Tensor4D =>
  tf.tidy(() => {
    const [kh, kw] = attrs.filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      "channelsLast",
    );
    const { top, left, bottom, right } = info.padInfo;
    const padded = top || left || bottom || right
      ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]])
      : x;
    // Only the rows and columns the forward pass read take part.
    const needH = (info.outHeight - 1) * info.strideHeight + kh;
    const needW = (info.outWidth - 1) * info.strideWidth + kw;
    const used = tf.slice(padded, [0, 0, 0, 0], [-1, needH, needW, -1]);
    const xt = tf.transpose(used, [3, 1, 2, 0]);
    const dyt = tf.transpose(dy, [1, 2, 0, 3]);
    const g = tf.conv2d(xt, dyt, 1, "valid", "NHWC", [info.strideHeight, info.strideWidth]);
    return tf.transpose(g, [1, 2, 0, 3]);
  });

interface MaxPoolGradAttrs {
  readonly filterSize: number | [number, number];
  readonly strides: number | [number, number];
  readonly pad: "valid" | "same" | number;
  readonly dimRoundingMode?: "floor" | "round" | "ceil";
}

/**
 * The gradient of a 2-D max pool (NHWC): each output's gradient goes to the first maximum of
 * its window in row-major order (the cpu backend's rule). Computed on the host in one pass:
 * wasm tensors live in host memory, and a loop is 100x faster here than the same thing
 * composed of tensor ops. Borrows `dy` and `x`, returns a new tensor shaped like `x`.
 */
export const maxPoolGrad = (
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  attrs: MaxPoolGradAttrs,
): tf.Tensor4D => {
  const info = tf.backend_util.computePool2DInfo(
    x.shape,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [n, h, w, c] = x.shape;
  const { top, left } = info.padInfo;
  const kh = info.filterHeight, kw = info.filterWidth;
  const sh = info.strideHeight, sw = info.strideWidth;
  const oh = info.outHeight, ow = info.outWidth;
  const xv = x.dataSync() as Float32Array;
  const gv = dy.dataSync() as Float32Array;
  const out = new Float32Array(xv.length);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - top;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - left;
        at.fill(-1);
        for (let i = Math.max(0, y0); i < Math.min(h, y0 + kh); i++) {
          for (let j = Math.max(0, x0); j < Math.min(w, x0 + kw); j++) {
            const k0 = ((b * h + i) * w + j) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xv[k0 + ch];
              if (at[ch] < 0 || v > best[ch]) {
                best[ch] = v;
                at[ch] = k0 + ch;
              }
            }
          }
        }
        const go = ((b * oh + oy) * ow + ox) * c;
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) out[at[ch]] += gv[go + ch];
      }
    }
  }
  return tf.tensor4d(out, [n, h, w, c]);
};

/**
 * The input gradient of a stride-1, dilation-1 convolution as one forward convolution (the
 * "full" correlation of dY with the filter turned by 180 degrees, in and out swapped), which
 * XNNPACK runs far faster than the backend's own Conv2DBackpropInput.
 */
export const conv2dInputGrad = (
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inShape: [number, number, number, number],
  pad: { top: number; left: number; bottom: number; right: number },
): tf.Tensor4D =>
  tf.tidy(() => {
    const [kh, kw] = filter.shape;
    const [, h, w] = inShape;
    const rot = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const pt = kh - 1 - pad.top, pl = kw - 1 - pad.left;
    const padded = tf.pad(dy, [[0, 0], [pt, h + kh - 1 - pt - dy.shape[1]], [
      pl,
      w + kw - 1 - pl - dy.shape[2],
    ], [0, 0]]);
    return tf.conv2d(padded, rot, 1, "valid");
  });

let registered = false;

/**
 * Registers the missing gradient kernels for the wasm backend and replaces its faulty
 * `MaxPoolGrad` (idempotent). Call before training on wasm.
 */
export const registerWasmGradKernels = (): void => {
  if (registered) return;
  registered = true;
  if (tf.getKernel("MaxPoolGrad", "wasm")) tf.unregisterKernel("MaxPoolGrad", "wasm");
  const nativeInput = tf.getKernel("Conv2DBackpropInput", "wasm");
  if (nativeInput) {
    tf.unregisterKernel("Conv2DBackpropInput", "wasm");
    tf.registerKernel({
      kernelName: "Conv2DBackpropInput",
      backendName: "wasm",
      kernelFunc: (args) => {
        const { dy, filter } = args.inputs as unknown as { dy: tf.Tensor4D; filter: tf.Tensor4D };
        const a = args.attrs as unknown as {
          strides: number | [number, number];
          pad: "valid" | "same" | number;
          dataFormat: string;
          dimRoundingMode?: "floor" | "round" | "ceil";
          inputShape: [number, number, number, number];
        };
        const info = tf.backend_util.computeConv2DInfo(
          a.inputShape,
          filter.shape,
          a.strides,
          1,
          a.pad,
          a.dimRoundingMode,
        );
        if (info.strideHeight !== 1 || info.strideWidth !== 1 || a.dataFormat === "NCHW") {
          return nativeInput.kernelFunc(args);
        }
        return conv2dInputGrad(dy, filter, a.inputShape, info.padInfo) as unknown as tf.TensorInfo;
      },
    });
  }
  tf.registerKernel({
    kernelName: "MaxPoolGrad",
    backendName: "wasm",
    kernelFunc: ({ inputs, attrs }) => {
      const { dy, input } = inputs as unknown as { dy: tf.Tensor4D; input: tf.Tensor4D };
      return maxPoolGrad(
        dy,
        input,
        attrs as unknown as MaxPoolGradAttrs,
      ) as unknown as tf.TensorInfo;
    },
  });
  if (!tf.getKernel("Conv2DBackpropFilter", "wasm")) {
    tf.registerKernel({
      kernelName: "Conv2DBackpropFilter",
      backendName: "wasm",
      kernelFunc: ({ inputs, attrs }) => {
        const { x, dy } = inputs as unknown as { x: tf.Tensor4D; dy: tf.Tensor4D };
        const a = attrs as unknown as BackpropFilterAttrs;
        if (a.dataFormat === "NCHW") {
          throw new Error("Conv2DBackpropFilter on wasm: only NHWC is supported");
        }
        return conv2dFilterGrad(x, dy, a) as unknown as tf.TensorInfo;
      },
    });
  }
  // Our WebAssembly SIMD gradient kernels and fused Adam on top (issue 16).
  installWasmTrainKernels();
};
