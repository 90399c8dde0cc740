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
      tf.tidy(() => {
        for (const n of names) {
          const g = grads[n];
          if (!g) continue;
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
