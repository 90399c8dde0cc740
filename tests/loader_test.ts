import { fileURLToPath as fromFileUrl } from "node:url";
import { assert, assertEquals } from "./_assert.ts";
import { loadScaledImage, startImageLoader } from "../stages.ts";

const FIXTURES = new URL("../fixtures/images/", import.meta.url);

Deno.test("the image loader worker gives what loadScaledImage gives, paths and bytes", async () => {
  const loader = startImageLoader();
  try {
    for (const name of ["gray.jpg", "cmyk.jpg", "progressive.jpg"]) {
      const path = fromFileUrl(new URL(name, FIXTURES));
      const here = await loadScaledImage(path);
      const there = await loader.load(path);
      const bytes = await loader.load(await Deno.readFile(path));
      assert(here._tag === "Right" && there._tag === "Right" && bytes._tag === "Right", name);
      assertEquals(there.right.image.width, here.right.image.width);
      assertEquals(there.right.image.height, here.right.image.height);
      assert(there.right.image.data.every((v, i) => v === here.right.image.data[i]), name);
      assert(bytes.right.image.data.every((v, i) => v === here.right.image.data[i]), name);
    }
  } finally {
    loader.terminate();
  }
});

Deno.test("the image loader worker returns typed errors and keeps going", async () => {
  const loader = startImageLoader();
  try {
    const empty = await loader.load(new Uint8Array(0));
    assert(empty._tag === "Left" && empty.left._tag === "DecodeError", JSON.stringify(empty));
    const missing = await loader.load("/no/such/image.jpg");
    assert(missing._tag === "Left" && missing.left._tag === "IoError", JSON.stringify(missing));
    assert(missing.left.message.includes("/no/such/image.jpg"));
    const ok = await loader.load(fromFileUrl(new URL("gray.jpg", FIXTURES)));
    assertEquals(ok._tag, "Right");
  } finally {
    loader.terminate();
  }
});

Deno.test("terminating the image loader fails its pending loads with a BackendError", async () => {
  const loader = startImageLoader();
  const pending = loader.load(fromFileUrl(new URL("progressive.jpg", FIXTURES)));
  loader.terminate();
  const r = await pending;
  assert(r._tag === "Left" && r.left._tag === "BackendError", JSON.stringify(r));
});

Deno.test("a loader worker that dies fails its load with a BackendError, and the next load starts a new one", async () => {
  const { startImageLoaderAt } = await import("../pipelines/parallel/loader.ts");
  const { IVAN } = await import("./_faces.ts");
  const loader = startImageLoaderAt(new URL("./_dying_loader.ts", import.meta.url));
  try {
    const dead = await loader.load("crash");
    assert(dead._tag === "Left" && dead.left._tag === "BackendError", JSON.stringify(dead));
    const next = await loader.load(IVAN);
    assert(next._tag === "Right", JSON.stringify(next._tag === "Left" ? next.left : ""));
    assertEquals(next.right.width, 561);
  } finally {
    loader.terminate();
  }
  const after = await loader.load(IVAN);
  assert(after._tag === "Left" && after.left.message.includes("terminated"));
});
