/**
 * The browser build (web/build.ts): the detection path bundles with no Deno or Node import, and
 * the build refuses whatever would bring one in.
 */
import * as esbuild from "esbuild";
import { browserEdges, installPackages, ROOT } from "../web/build.ts";
import { assert, assertEquals } from "./_assert.ts";

const bundle = async (
  input: { entryPoints: string[] } | { contents: string },
): Promise<{ text: string; errors: string[] }> => {
  await installPackages();
  try {
    const r = await esbuild.build({
      absWorkingDir: ROOT,
      ...("entryPoints" in input
        ? { entryPoints: input.entryPoints, outdir: "out/check" }
        : { stdin: { contents: input.contents, resolveDir: ROOT, loader: "ts" } }),
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      logLevel: "silent",
      plugins: [browserEdges],
    });
    return { text: r.outputFiles.map((f) => f.text).join("\n"), errors: [] };
  } catch (e) {
    return {
      text: "",
      errors: (e as { errors?: { text: string }[] }).errors?.map((x) => x.text) ?? [String(e)],
    };
  } finally {
    await esbuild.stop();
  }
};

Deno.test("the detection path (cascade, detector, weights, alignment) bundles for the browser with no Deno or node import", async () => {
  const r = await bundle({
    entryPoints: [
      "pipelines/cascade.ts",
      "pipelines/detector.ts",
      "lib/weights/default_weights.ts",
      "lib/align/align_face.ts",
      "pipelines/edge/browser/backend.ts",
    ],
  });
  assertEquals(r.errors, []);
  assert(!/\bDeno\.[a-z]/.test(r.text), "a Deno API reached the bundle");
  assert(!/from\s*"node:|import\("node:/.test(r.text), "a node: import reached the bundle");
});

Deno.test("the browser build refuses a Deno edge without a browser version, and node: imports", async () => {
  const edge = await bundle({ contents: `import "./pipelines/edge/atomic.ts";` });
  assert(
    edge.errors.some((e) => e.includes("atomic.ts") && e.includes("no browser version")),
    edge.errors.join("; "),
  );
  const node = await bundle({ contents: `import "node:fs";` });
  assert(
    node.errors.some((e) => e.includes("node:fs") && e.includes("must not reach the browser")),
    node.errors.join("; "),
  );
});
