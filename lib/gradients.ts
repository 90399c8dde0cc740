/**
 * Gradients of the tfjs kernels that our networks and training losses differentiate through.
 *
 * tfjs-core registers no gradient by itself: the `@tensorflow/tfjs` umbrella package did it on
 * import, and tfjs-core's own registration modules are ES modules with extension-less imports,
 * which Deno (like Node) refuses to load from an npm package. Without the umbrella (about 230 MB
 * of downloads we do not otherwise use) we state the derivatives ourselves. Each one is the
 * textbook derivative of the kernel's forward definition; `tests/gradients_test.ts` checks every
 * one against central finite differences.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

type Saved = tf.Tensor[];
type Attrs = tf.NamedAttrMap;

/** Sums a broadcast gradient back to the shape of the input it came from. */
const unbroadcast = (dy: tf.Tensor, shape: number[]): tf.Tensor => {
  const axes = tf.broadcast_util.getReductionAxes(shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
};

/** Spreads the gradient of a reduction over `axis` back over the input's shape. */
const unreduce = (dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor => {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const kept = tf.backend_util.expandShapeToKeepDim(
    tf.backend_util.computeOutAndReduceShapes(x.shape, axes)[0],
    axes,
  );
  return tf.mul(tf.reshape(dy, kept), tf.ones(x.shape, "float32"));
};

const float = (t: tf.Tensor): tf.Tensor => tf.cast(t, "float32");

/** The product of the input sizes along the reduced axes (for Mean). */
const reducedSize = (x: tf.Tensor, axis: number | number[]): number =>
  tf.util.parseAxisParam(axis, x.shape).reduce((n, a) => n * x.shape[a], 1);

const binary = (
  kernelName: string,
  da: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  db: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): tf.GradConfig => ({
  kernelName,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, [a, b]: Saved) => ({
    a: () => unbroadcast(da(dy as tf.Tensor, a, b), a.shape),
    b: () => unbroadcast(db(dy as tf.Tensor, a, b), b.shape),
  }),
});

const unary = (
  kernelName: string,
  dx: (dy: tf.Tensor, x: tf.Tensor, attrs: Attrs) => tf.Tensor,
): tf.GradConfig => ({
  kernelName,
  inputsToSave: ["x"],
  gradFunc: (dy, [x]: Saved, attrs) => ({ x: () => dx(dy as tf.Tensor, x, attrs) }),
});

/** d(a b) / dA etc. for the four transpose combinations of BatchMatMul. */
const matMulGrad: tf.GradConfig = {
  kernelName: "BatchMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (g, [a, b]: Saved, attrs) => {
    const dy = g as tf.Tensor;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) {
      return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
    }
    if (!transposeA && transposeB) {
      return { a: () => tf.matMul(dy, b, false, false), b: () => tf.matMul(dy, a, true, false) };
    }
    if (transposeA && !transposeB) {
      return { a: () => tf.matMul(b, dy, false, true), b: () => tf.matMul(a, dy, false, false) };
    }
    return { a: () => tf.matMul(b, dy, true, true), b: () => tf.matMul(dy, a, true, true) };
  },
};

const conv2dGrad: tf.GradConfig = {
  kernelName: "Conv2D",
  inputsToSave: ["x", "filter"],
  gradFunc: (g, [x, filter]: Saved, attrs) => {
    const dy = g as tf.Tensor4D;
    const { strides, pad, dataFormat, dimRoundingMode } = attrs;
    const common = { strides, pad, dataFormat, dimRoundingMode };
    return {
      x: () =>
        tf.engine().runKernel("Conv2DBackpropInput", { dy, filter }, {
          ...common,
          inputShape: x.shape,
        }) as tf.Tensor,
      filter: () =>
        tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
          ...common,
          filterShape: filter.shape,
        }) as tf.Tensor,
    };
  },
};

const maxPoolGrad: tf.GradConfig = {
  kernelName: "MaxPool",
  inputsToSave: ["x"],
  outputsToSave: [true],
  gradFunc: (dy, [x, y]: Saved, attrs) => ({
    x: () =>
      tf.engine().runKernel("MaxPoolGrad", { dy: dy as tf.Tensor, input: x, output: y }, {
        filterSize: attrs.filterSize,
        strides: attrs.strides,
        pad: attrs.pad,
        dimRoundingMode: attrs.dimRoundingMode,
      }) as tf.Tensor,
  }),
};

const preluGrad: tf.GradConfig = {
  kernelName: "Prelu",
  inputsToSave: ["x", "alpha"],
  gradFunc: (g, [x, alpha]: Saved) => {
    const dy = g as tf.Tensor;
    const positive = tf.greater(x, 0);
    return {
      x: () => tf.where(positive, dy, tf.mul(dy, alpha)),
      alpha: () => unbroadcast(tf.where(positive, tf.zerosLike(dy), tf.mul(dy, x)), alpha.shape),
    };
  },
};

const softmaxGrad: tf.GradConfig = {
  kernelName: "Softmax",
  outputsToSave: [true],
  gradFunc: (g, [y]: Saved, attrs) => {
    const dy = g as tf.Tensor;
    const dim = attrs.dim as number;
    return { logits: () => tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), [dim], true))) };
  },
};

const selectGrad: tf.GradConfig = {
  kernelName: "Select",
  inputsToSave: ["condition"],
  gradFunc: (g, [condition]: Saved) => {
    const dy = g as tf.Tensor;
    return {
      condition: () => float(tf.zerosLike(condition)),
      t: () => tf.where(condition, dy, tf.zerosLike(dy)),
      e: () => tf.where(condition, tf.zerosLike(dy), dy),
    };
  },
};

const addNGrad: tf.GradConfig = {
  kernelName: "AddN",
  saveAllInputs: true,
  gradFunc: (dy, saved: Saved) =>
    Object.fromEntries(saved.map((_, i) => [i, () => (dy as tf.Tensor).clone()])),
};

/** Every gradient this module provides, by kernel name. */
export const GRADIENTS: readonly tf.GradConfig[] = [
  binary("Add", (dy) => dy, (dy) => dy),
  binary("Sub", (dy) => dy, (dy) => tf.neg(dy)),
  binary("Multiply", (dy, _a, b) => tf.mul(dy, float(b)), (dy, a) => tf.mul(dy, float(a))),
  binary(
    "RealDiv",
    (dy, _a, b) => tf.div(dy, b),
    (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b))),
  ),
  binary(
    "Maximum",
    (dy, a, b) => tf.mul(dy, float(tf.greaterEqual(a, b))),
    (dy, a, b) => tf.mul(dy, float(tf.less(a, b))),
  ),
  binary(
    "Minimum",
    (dy, a, b) => tf.mul(dy, float(tf.lessEqual(a, b))),
    (dy, a, b) => tf.mul(dy, float(tf.greater(a, b))),
  ),
  addNGrad,
  matMulGrad,
  conv2dGrad,
  maxPoolGrad,
  preluGrad,
  softmaxGrad,
  selectGrad,
  unary("Abs", (dy, x) => tf.mul(dy, tf.sign(float(x)))),
  unary("Identity", (dy) => dy.clone()),
  unary("ClipByValue", (dy, x, { clipValueMin, clipValueMax }) =>
    tf.where(
      tf.logicalAnd(
        tf.greaterEqual(x, clipValueMin as number),
        tf.lessEqual(x, clipValueMax as number),
      ),
      dy,
      tf.zerosLike(dy),
    )),
  unary("Exp", (dy, x) => tf.mul(dy, tf.exp(float(x)))),
  unary("Log", (dy, x) => tf.div(dy, float(x))),
  unary(
    "Mean",
    (dy, x, { axis }) =>
      tf.div(unreduce(dy, x, axis as number[]), reducedSize(x, axis as number[])),
  ),
  unary("Neg", (dy) => tf.neg(dy)),
  unary("Relu", (dy, x) => tf.mul(dy, float(tf.greater(x, 0)))),
  unary("Reshape", (dy, x) => tf.reshape(dy, x.shape)),
  unary("Sqrt", (dy, x) => tf.div(dy, tf.mul(tf.sqrt(float(x)), 2))),
  unary("Square", (dy, x) => tf.mul(dy, tf.mul(float(x), 2))),
  unary("Sum", (dy, x, { axis }) => unreduce(dy, x, axis as number[])),
  unary(
    "Transpose",
    (dy, _x, { perm }) =>
      tf.transpose(dy, tf.backend_util.getUndoAxesPermutation(perm as number[])),
  ),
];

/**
 * Registers the gradients above for the kernels that have none yet (a gradient registered
 * before, e.g. by the `@tensorflow/tfjs` umbrella in the same process, is kept). Idempotent.
 */
export const registerGradients = (): void => {
  for (const g of GRADIENTS) if (tf.getGradient(g.kernelName) == null) tf.registerGradient(g);
};
