/**
 * The part of TensorFlow.js this library uses, behind the bare specifier `@tensorflow/tfjs`
 * (deno.json maps it here): tfjs-core, the cpu backend, and the gradients our training needs.
 *
 * The `@tensorflow/tfjs` umbrella package brings the same core plus layers, converter, data and
 * the WebGL backend, none of which we use: a first `deno task detect` downloaded about 300 MB of
 * it. Importing this module has the effects importing the umbrella had for us: the cpu backend is
 * registered, and so are the gradients of the kernels our nets and losses use
 * (`registerGradients`, lib/gradients.ts; tfjs-core alone registers none). The umbrella's
 * chained tensor methods (`x.reshape(...)`) are not installed: we call `tf.reshape(x, ...)`.
 *
 * @module
 */
import "@tensorflow/tfjs-backend-cpu";
import { registerGradients } from "./gradients.ts";

export * from "@tensorflow/tfjs-core";

registerGradients();
