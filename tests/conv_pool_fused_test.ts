import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { useBackend } from "../mod.ts";
import { loadImage } from "../stages.ts";
import { onet, pnet, rnet, toTensors } from "../train.ts";
import { convPrelu } from "../lib/nets/layers.ts";
import {
  CONV_STACK_KERNEL,
  type ConvLayer,
  convPreluPool,
  convStack,
  type PoolSpec,
} from "../lib/nets/conv_pool.ts";
import { imagesPerPiece, setWasmConvPool } from "../lib/kernels/wasm_conv_pool.ts";
import type { WasmBackendLike } from "../lib/kernels/instance.ts";
import { defaultWeights, makeDetector } from "./_shared.ts";
import { GROUP } from "./_faces.ts";

const wasm = async () => {
  const r = await useBackend("wasm");
  if (r._tag === "Left") throw new Error(r.left.message);
};

/** Whether two float arrays hold the same bits. */
const sameBits = (a: tf.TypedArray, b: tf.TypedArray): boolean => {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
};

/**
 * Runs f with the backend's malloc and free counted; returns f's result and how many blocks are
 * still held afterwards (after f's tensors are disposed, that must be 0).
 */
const counted = <T>(f: () => T): [T, () => number] => {
  const wasm = (tf.backend() as unknown as WasmBackendLike).wasm as {
    _malloc(n: number): number;
    _free(p: number): void;
  };
  // Emscripten's exports may replace themselves on their first call: make that happen first.
  wasm._free(wasm._malloc(4));
  const [malloc, free] = [wasm._malloc, wasm._free];
  let held = 0;
  wasm._malloc = (n) => {
    held++;
    return malloc.call(wasm, n);
  };
  wasm._free = (p) => {
    if (p) held--;
    free.call(wasm, p);
  };
  try {
    return [f(), () => held];
  } finally {
    wasm._malloc = malloc;
    wasm._free = free;
  }
};

/** A layer of a test stack: filter shape, pool or none, PReLU or not. */
interface Layer {
  readonly f: [number, number, number, number];
  readonly pool?: PoolSpec;
  readonly prelu: boolean;
}

/** A stack of layers on images of shape `x` (h, w, ci). */
interface Stack {
  readonly name: string;
  readonly x: [number, number, number];
  readonly layers: Layer[];
}

const L = (f: Layer["f"], p?: PoolSpec, prelu = true): Layer => ({ f, pool: p, prelu });

// MTCNN's convolutions followed by a pool alone (docs/networks.md), plus odd channel counts and
// one without PReLU; then RNet's and ONet's whole stacks of convolutions.
const STACKS: Stack[] = [
  { name: "PNet conv1", x: [31, 40, 3], layers: [L([3, 3, 3, 10], pool(2, "same"))] },
  { name: "RNet conv1", x: [24, 24, 3], layers: [L([3, 3, 3, 28], pool(3, "same"))] },
  { name: "RNet conv2", x: [11, 11, 28], layers: [L([3, 3, 28, 48], pool(3, "valid"))] },
  { name: "ONet conv1", x: [48, 48, 3], layers: [L([3, 3, 3, 32], pool(3, "same"))] },
  { name: "ONet conv2", x: [23, 23, 32], layers: [L([3, 3, 32, 64], pool(3, "valid"))] },
  { name: "ONet conv3", x: [10, 10, 64], layers: [L([3, 3, 64, 64], pool(2, "same"))] },
  { name: "odd, Winograd", x: [13, 9, 9], layers: [L([3, 3, 9, 7], pool(3, "same"))] },
  { name: "odd, direct", x: [12, 15, 5], layers: [L([2, 2, 5, 13], pool(2, "valid"), false)] },
  {
    name: "RNet's stack",
    x: [24, 24, 3],
    layers: [
      L([3, 3, 3, 28], pool(3, "same")),
      L([3, 3, 28, 48], pool(3, "valid")),
      L([2, 2, 48, 64]),
    ],
  },
  {
    name: "ONet's stack",
    x: [48, 48, 3],
    layers: [
      L([3, 3, 3, 32], pool(3, "same")),
      L([3, 3, 32, 64], pool(3, "valid")),
      L([3, 3, 64, 64], pool(2, "same")),
      L([2, 2, 64, 128]),
    ],
  },
];

function pool(size: number, pad: "same" | "valid"): PoolSpec {
  return { size, stride: 2, pad };
}

/** Bytes of the largest map one image makes on the way through the stack (sets the pieces). */
const largestMap = (s: Stack): number => {
  let [h, w] = s.x, most = 0;
  for (const l of s.layers) {
    [h, w] = [h - l.f[0] + 1, w - l.f[1] + 1];
    most = Math.max(most, h * w * l.f[3] * 4);
    if (l.pool?.pad === "same") [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
    if (l.pool?.pad === "valid") [h, w] = [(h - l.pool.size) / 2 + 1, (w - l.pool.size) / 2 + 1];
  }
  return most;
};

/** The ops one after the other (what training runs) and the stack op, on the same inputs. */
const stackOutputs = (s: Stack, n: number, seed: number) => {
  const x = tf.randomNormal([n, ...s.x], 0, 1, "float32", seed) as tf.Tensor4D;
  const layers: ConvLayer[] = s.layers.map((l, i) => ({
    kernel: tf.randomNormal(l.f, 0, 0.4, "float32", seed + 10 * i + 1),
    bias: tf.randomNormal([l.f[3]], 0, 0.5, "float32", seed + 10 * i + 2),
    // Alphas of both signs.
    alpha: l.prelu ? tf.randomNormal([l.f[3]], 0, 0.5, "float32", seed + 10 * i + 3) : undefined,
    pool: l.pool,
  }));
  const ops = layers.reduce((h, l) => {
    const y = convPrelu(h, l.kernel, l.bias, l.alpha);
    return l.pool ? tf.maxPool(y, l.pool.size, l.pool.stride, l.pool.pad) : y;
  }, x);
  const one = layers.length === 1 ? layers[0] : undefined;
  const fused = () =>
    one?.pool ? convPreluPool(x, one.kernel, one.bias, one.alpha, one.pool) : convStack(x, layers);
  return { ops, fused };
};

Deno.test("conv + PReLU + max pool stacks in pieces equal the ops bit for bit on MTCNN's layers and nets (batches 1, 3, a piece + 1)", async () => {
  await wasm();
  assert(tf.getKernel(CONV_STACK_KERNEL, "wasm"), "the wasm backend should have the kernel");
  const before = tf.memory().numTensors;
  try {
    for (const [i, s] of STACKS.entries()) {
      const piece = imagesPerPiece(largestMap(s));
      for (const n of [1, 3, piece + 1]) {
        const [, held] = counted(() =>
          tf.tidy(() => {
            const { ops, fused } = stackOutputs(s, n, 100 * i + n);
            const want = ops.dataSync();
            // The default pieces; one image per piece; the whole batch in one; the kernel's own
            // fallback (the backend's FusedConv2D and MaxPool layer by layer).
            const runs: [string, boolean, number | undefined][] = [
              ["default pieces", true, undefined],
              ["one image per piece", true, 1],
              ["one piece", true, 1 << 30],
              ["fallback", false, undefined],
            ];
            for (const [what, on, chunkBytes] of runs) {
              setWasmConvPool(on, { chunkBytes: chunkBytes ?? 256 * 1024 });
              const y = fused();
              assertEquals(y.shape, ops.shape, `${s.name}, n = ${n}, ${what}`);
              assert(sameBits(y.dataSync(), want), `${s.name}, n = ${n}, ${what}: values differ`);
            }
          })
        );
        assertEquals(held(), 0, `${s.name}, n = ${n}: wasm blocks left allocated`);
      }
    }
  } finally {
    setWasmConvPool(true, { chunkBytes: 256 * 1024 });
  }
  assertEquals(tf.memory().numTensors, before);
});

/** The faces the detector finds in a real photo, as [y1, x1, y2, x2] fractions of its sides. */
const faceBoxes = async (): Promise<number[][]> => {
  const d = await makeDetector();
  try {
    const r = await d.detect(GROUP);
    if (r._tag === "Left") throw new Error(r.left.message);
    const img = await loadImage(GROUP);
    if (img._tag === "Left") throw new Error(img.left.message);
    const { width, height } = img.right;
    return r.right.faces.map(({ box: [x, y, w, h] }) => {
      const s = Math.max(w, h), cx = x + w / 2, cy = y + h / 2;
      return [
        (cy - s / 2) / height,
        (cx - s / 2) / width,
        (cy + s / 2) / height,
        (cx + s / 2) / width,
      ];
    });
  } finally {
    d.dispose();
  }
};

/**
 * n crops of a real photo, resized and normalized as the nets take them: its faces first, then
 * shifted and scaled copies of them (most of which are not faces).
 */
const crops = async (faces: number[][], n: number, side: number): Promise<tf.Tensor4D> => {
  const img = await loadImage(GROUP);
  if (img._tag === "Left") throw new Error(img.left.message);
  const { width, height, data } = img.right;
  return tf.tidy(() => {
    const boxes = Array.from({ length: n }, (_, i) => {
      const [y1, x1, y2, x2] = faces[i % faces.length], k = Math.floor(i / faces.length);
      const dy = (y2 - y1) * 0.3 * Math.sin(k), dx = (x2 - x1) * 0.3 * Math.cos(k);
      const grow = 1 + 0.1 * (k % 3);
      return [y1 + dy, x1 + dx, y1 + dy + (y2 - y1) * grow, x1 + dx + (x2 - x1) * grow];
    });
    const image = tf.tensor4d(Float32Array.from(data), [1, height, width, 3]);
    const c = tf.image.cropAndResize(image, boxes, new Array(n).fill(0), [side, side]);
    return tf.mul(tf.sub(c, 127.5), 0.0078125) as tf.Tensor4D;
  });
};

Deno.test("RNet, ONet and PNet give the same bits with conv + pool in pieces as without, on real crops", async () => {
  await wasm();
  const w = await defaultWeights();
  const r = toTensors(w.rnet), o = toTensors(w.onet), p = toTensors(w.pnet);
  const faces = await faceBoxes();
  assert(faces.length >= 2, `the detector found ${faces.length} faces in ${GROUP}`);
  const x24 = await crops(faces, 37, 24), x48 = await crops(faces, 13, 48);
  const level = tf.tidy(() =>
    tf.slice(tf.image.resizeBilinear(x48, [61, 75]), 0, 1) as tf.Tensor4D
  );
  const before = tf.memory().numTensors;
  const outputs = () =>
    tf.tidy(() => {
      const ro = rnet(r)(x24), oo = onet(o)(x48), po = pnet(p)(level);
      return [ro.bbox, ro.prob, oo.bbox, oo.landmarks, oo.prob, po.bbox, po.prob].map((t) =>
        t.dataSync()
      );
    });
  try {
    const [fused, held] = counted(() => outputs());
    assertEquals(held(), 0, "wasm blocks left allocated");
    setWasmConvPool(false);
    const plain = outputs();
    for (const [i, a] of fused.entries()) assert(sameBits(a, plain[i]), `output ${i} differs`);
    // ONet scores the faces as faces, and not every shifted crop (RNet's looser crops too).
    const faceProb = (prob: tf.TypedArray, i: number) => prob[2 * i + 1];
    for (const i of faces.keys()) {
      assert(faceProb(fused[4], i) > 0.5, `ONet: face ${i} scored ${faceProb(fused[4], i)}`);
    }
    const shifted = (prob: tf.TypedArray) =>
      Array.from(
        { length: prob.length / 2 - faces.length },
        (_, i) => faceProb(prob, faces.length + i),
      );
    assert(shifted(fused[4]).some((v) => v < 0.5), "ONet scored every shifted crop as a face");
    assert(shifted(fused[1]).some((v) => v < 0.5), "RNet scored every shifted crop as a face");
  } finally {
    setWasmConvPool(true);
  }
  assertEquals(tf.memory().numTensors, before);
  tf.dispose([x24, x48, level]);
  for (const t of [r, o, p]) tf.dispose(Object.values(t) as tf.Tensor[]);
});

Deno.test("under a gradient tape conv + pool runs the two ops: the same gradients as through them", async () => {
  await wasm();
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const l = {
      x: [11, 11, 28] as [number, number, number],
      f: [3, 3, 28, 48] as [number, number, number, number],
      pool: pool(3, "valid"),
    };
    const x = tf.randomNormal([2, ...l.x], 0, 1, "float32", 5) as tf.Tensor4D;
    const f = tf.randomNormal(l.f, 0, 0.4, "float32", 6);
    const b = tf.randomNormal([l.f[3]], 0, 0.5, "float32", 7);
    const a = tf.randomNormal([l.f[3]], 0, 0.5, "float32", 8);
    const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.reshape(tf.range(0, y.size), y.shape)));
    const viaFused = tf.grads((...ts: tf.Tensor[]) =>
      loss(convPreluPool(ts[0] as tf.Tensor4D, ts[1], ts[2], ts[3], l.pool))
    )([x, f, b, a]);
    const viaOps = tf.grads((...ts: tf.Tensor[]) =>
      loss(tf.maxPool(convPrelu(ts[0] as tf.Tensor4D, ts[1], ts[2], ts[3]), 3, 2, "valid"))
    )([x, f, b, a]);
    for (const [i, g] of viaFused.entries()) {
      assert(sameBits(g.dataSync(), viaOps[i].dataSync()), `gradient ${i} differs`);
    }
  });
  assertEquals(tf.memory().numTensors, before);
});
