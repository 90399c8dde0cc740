import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { useBackend } from "../mod.ts";

Deno.test("useBackend() starts wasm or cpu and keeps a current backend", async () => {
  const r = await useBackend("auto");
  assert(r._tag === "Right" && (r.right === "wasm" || r.right === "cpu"), JSON.stringify(r));
  assertEquals(tf.getBackend(), r.right);
  const again = await useBackend("auto");
  assertEquals(again, r);
});

Deno.test("useBackend('webgpu') gives a BackendError saying why where there is no GPU", async () => {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  const r = await useBackend("webgpu");
  if (adapter) {
    assert(r._tag === "Right" && r.right === "webgpu", JSON.stringify(r));
    await useBackend("auto");
  } else {
    assert(r._tag === "Left" && r.left._tag === "BackendError", JSON.stringify(r));
    assert(r.left.message.includes("webgpu"), r.left.message);
    assert(tf.getBackend() !== "webgpu");
  }
});
