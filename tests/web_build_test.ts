/**
 * The browser build (web/build.ts): the library's front door and its entry points bundle for
 * the browser with no Deno or Node import, and the build refuses whatever would bring one in.
 */
import { assert, assertEquals } from "./_assert.ts";
import { checkBrowserBundle } from "./_web_build.ts";

Deno.test("mod.ts and ./stages bundle for the browser with no Deno or node import", async () => {
  const r = await checkBrowserBundle({ entries: ["mod.ts", "stages.ts"] });
  assertEquals(r.errors, []);
  assertEquals(r.denoApis, [], "Deno APIs in the bundle");
  assert(r.bytes > 100_000, `a bundle of ${r.bytes} bytes is too small to hold tfjs`);
});

Deno.test("the browser build refuses a Deno edge without a browser version, and node: imports", async () => {
  const edge = await checkBrowserBundle({ code: `import "./pipelines/edge/atomic.ts";` });
  assert(
    edge.errors.some((e) => e.includes("atomic.ts") && e.includes("no browser version")),
    edge.errors.join("; "),
  );
  const nested = await checkBrowserBundle({
    code: `import "./pipelines/edge/weights/files.ts";`,
  });
  assert(
    nested.errors.some((e) => e.includes("weights/files.ts") && e.includes("no browser version")),
    nested.errors.join("; "),
  );
  const node = await checkBrowserBundle({ code: `import "node:fs";` });
  assert(
    node.errors.some((e) => e.includes("node:fs") && e.includes("must not reach the browser")),
    node.errors.join("; "),
  );
});
