/**
 * Adam (Kingma and Ba 2015) over a record of variables, with its whole state (step count and
 * both moment estimates) readable and restorable, so that a resumed run continues bit for bit.
 * The learning rate is given per step (see `lr_schedule.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Adam's constants (defaults 0.9, 0.999, 1e-8: the paper's). */
export interface AdamConfig {
  /** First-moment decay. */
  readonly beta1?: number;
  /** Second-moment decay. */
  readonly beta2?: number;
  /** Denominator guard. */
  readonly epsilon?: number;
}

/**
 * Name of an optional kernel that does a variable's whole update in one pass: inputs w, g, m, v;
 * attributes {@linkcode AdamKernelAttrs}; outputs [w', m', v'], with the float32 results of the
 * tensor ops below in their order. Used when registered for the current backend (our wasm
 * training kernels register it).
 */
export const ADAM_KERNEL = "MtcnnAdam";

/** Attributes of {@linkcode ADAM_KERNEL}: c1, c2 are the bias corrections 1 - beta^step. */
export interface AdamKernelAttrs {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly c1: number;
  readonly c2: number;
  readonly epsilon: number;
}

/** Adam's state for a set of named variables. */
export interface Adam {
  /** Number of updates applied so far. */
  step: number;
  /** Applies one update with learning rate `lr`. Borrows `grads`. */
  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void;
  /** The moments as host arrays, for checkpoints: `m/<name>` and `v/<name>`. */
  read(): Promise<Record<string, Float32Array>>;
  /** Restores moments saved by `read` and the step count. */
  restore(step: number, moments: Readonly<Record<string, Float32Array>>): void;
  /** Frees the moment tensors. */
  dispose(): void;
}

/**
 * Makes Adam for the given variables (only these are updated).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { makeAdam } from "@mtcnn/mtcnn/train";
 * const w = tf.variable(tf.scalar(1));
 * const adam = makeAdam({ w });
 * adam.apply({ w: tf.scalar(2) }, 0.1);
 * console.log(w.dataSync()[0]); // 0.9: Adam's first step moves by lr
 * ```
 */
export const makeAdam = (
  vars: Readonly<Record<string, tf.Variable>>,
  config: AdamConfig = {},
): Adam => {
  const b1 = config.beta1 ?? 0.9;
  const b2 = config.beta2 ?? 0.999;
  const eps = config.epsilon ?? 1e-8;
  const names = Object.keys(vars);
  const m: Record<string, tf.Variable> = {};
  const v: Record<string, tf.Variable> = {};
  for (const n of names) {
    m[n] = tf.tidy(() => tf.variable(tf.zerosLike(vars[n]), false));
    v[n] = tf.tidy(() => tf.variable(tf.zerosLike(vars[n]), false));
  }
  const adam: Adam = {
    step: 0,
    apply(grads, lr) {
      adam.step++;
      const c1 = 1 - Math.pow(b1, adam.step);
      const c2 = 1 - Math.pow(b2, adam.step);
      const fused = tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined;
      const attrs: AdamKernelAttrs = { lr, beta1: b1, beta2: b2, c1, c2, epsilon: eps };
      tf.tidy(() => {
        for (const n of names) {
          const g = grads[n];
          if (!g) continue;
          if (fused) {
            const inputs = { w: vars[n], g, m: m[n], v: v[n] };
            const [w2, m2, v2] = tf.engine().runKernel(
              ADAM_KERNEL,
              inputs,
              attrs as unknown as tf.NamedAttrMap,
            ) as tf.Tensor[];
            vars[n].assign(w2);
            m[n].assign(m2);
            v[n].assign(v2);
            continue;
          }
          m[n].assign(tf.add(tf.mul(b1, m[n]), tf.mul(1 - b1, g)));
          v[n].assign(tf.add(tf.mul(b2, v[n]), tf.mul(1 - b2, tf.square(g))));
          const upd = tf.div(tf.div(m[n], c1), tf.add(tf.sqrt(tf.div(v[n], c2)), eps));
          vars[n].assign(tf.sub(vars[n], tf.mul(lr, upd)));
        }
      });
    },
    async read() {
      const out: Record<string, Float32Array> = {};
      for (const n of names) {
        out[`m/${n}`] = Float32Array.from(await m[n].data() as Float32Array);
        out[`v/${n}`] = Float32Array.from(await v[n].data() as Float32Array);
      }
      return out;
    },
    restore(step, moments) {
      adam.step = step;
      tf.tidy(() => {
        for (const n of names) {
          const mm = moments[`m/${n}`];
          const vv = moments[`v/${n}`];
          if (mm) m[n].assign(tf.tensor(mm, m[n].shape));
          if (vv) v[n].assign(tf.tensor(vv, v[n].shape));
        }
      });
    },
    dispose() {
      for (const n of names) {
        m[n].dispose();
        v[n].dispose();
      }
    },
  };
  return adam;
};
