import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./_assert.ts";
import { createDetector, type Detection, type Result, useBackend } from "../mod.ts";
import type { MtcnnError } from "../mod.ts";
import { defaultWeights, makeDetector } from "./_shared.ts";
import { ASTRONAUT, GROUP, IVAN } from "./_faces.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const run = async (args: string[], stdin?: string) => {
  const p = new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const o = await p.output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
};

Deno.test("the README's hello world finds ivan's face in a fresh process, no backend chosen", async () => {
  // The six lines of the README, with the image path filled in.
  const hello = `
import { createDetector } from "./mod.ts";
const detector = await createDetector();
if (detector._tag === "Left") throw new Error(detector.left.message);
const result = await detector.right.detect("fixtures/faces/ivan.jpg");
console.log(JSON.stringify(result._tag === "Right" ? result.right.faces : result.left.message));
`;
  const r = await run(
    ["run", "--allow-read", "--allow-env", "--allow-ffi", "--allow-sys", "-"],
    hello,
  );
  assertEquals(r.code, 0, r.err);
  const faces = JSON.parse(r.out);
  assertEquals(faces.length, 1);
  const [x, y, w, h] = faces[0].box;
  // The Python package's README box for this photo: [277, 90, 48, 63].
  assert(
    Math.abs(x - 277) < 6 && Math.abs(y - 90) < 8 && Math.abs(w - 48) < 6 && Math.abs(h - 63) < 8,
  );
});

Deno.test("createDetector() keeps a backend the caller chose, and reports it", async () => {
  const b = await useBackend("cpu");
  assert(b._tag === "Right");
  const d = await createDetector({ weights: await defaultWeights() });
  assert(d._tag === "Right");
  assertEquals(d.right.backend, "cpu");
  assertEquals(d.right.workers, 0);
  d.right.dispose();
  // "auto" would keep cpu, the backend in use: go back to wasm for the other tests.
  const w = await useBackend("wasm");
  assert(w._tag === "Right");
});

Deno.test("bad options are OptionErrors from createDetector, never a throw", async () => {
  const bad = async (o: Record<string, unknown>) => {
    const r = await createDetector(o as never);
    assert(r._tag === "Left", JSON.stringify(o));
    return r._tag === "Left" ? r.left : undefined!;
  };
  for (
    const o of [
      { minFaceSize: 0 },
      { thresholds: [0.6, 0.7] },
      { workers: -1 },
      { workers: 2.5 },
      { cascade: "bogus" },
      { backend: "bogus" },
      { stages: 42 },
    ]
  ) {
    const e = await bad(o);
    assertEquals(e._tag, "OptionError", JSON.stringify(o));
  }
  const e = await bad({ weights: { pnet: 1 } });
  assertEquals(e._tag, "WeightsError");
});

Deno.test("a disposed detector answers with an InputError; dispose twice is harmless", async () => {
  const d = await makeDetector();
  d.dispose();
  d.dispose();
  const r = await d.detect(IVAN);
  assert(r._tag === "Left" && r.left._tag === "InputError" && r.left.message.includes("disposed"));
  const many = await d.detectMany([IVAN, GROUP]);
  assert(many.every((x) => x._tag === "Left"));
});

Deno.test("concurrent calls give what sequential calls give, without leaking tensors", async () => {
  const d = await makeDetector();
  const inputs = [GROUP, IVAN, ASTRONAUT, GROUP];
  const seq: Result<MtcnnError, Detection>[] = [];
  for (const i of inputs) seq.push(await d.detect(i));
  const before = tf.memory().numTensors;
  const par = await Promise.all(inputs.map((i) => d.detect(i)));
  assertEquals(tf.memory().numTensors, before);
  for (const [k, r] of par.entries()) {
    const s = seq[k];
    assert(r._tag === "Right" && s._tag === "Right");
    assertEquals(r.right.faces, s.right.faces);
  }
  d.dispose();
});

Deno.test("dispose during a detection lets it finish, then frees the nets", async () => {
  const d = await makeDetector();
  const before = tf.memory().numTensors;
  const pending = d.detect(GROUP);
  d.dispose();
  const r = await pending;
  assert(r._tag === "Right" && r.right.faces.length === 6, JSON.stringify(r));
  assert(tf.memory().numTensors < before, "the weight tensors are freed after the call");
});

Deno.test("detectMany and detectEach go on past a bad input, in order, with progress", async () => {
  const d = await makeDetector({ workers: 2 });
  const seen: number[] = [];
  const inputs = [IVAN, "no/such/file.jpg", new Uint8Array([1, 2, 3]), GROUP];
  const all = await d.detectMany(inputs, { onProgress: (n) => seen.push(n) });
  assertEquals(all.map((r) => r._tag), ["Right", "Left", "Left", "Right"]);
  assertEquals(seen, [1, 2, 3, 4]);
  assert(all[1]._tag === "Left" && all[1].left._tag === "IoError");
  assert(all[2]._tag === "Left" && all[2].left._tag === "DecodeError");
  async function* gen() {
    yield GROUP;
    yield ASTRONAUT;
  }
  const items = [];
  for await (const item of d.detectEach(gen(), { keepImage: true })) items.push(item);
  assertEquals(items.map((i) => i.index), [0, 1]);
  const first = items[0].result;
  assert(first._tag === "Right" && first.right.faces.length === 6);
  assertEquals(first.right.image?.width, 640);
  d.dispose();
});

Deno.test("importing ./stages, ./weights or ./eval does not load the embedded weights", async () => {
  for (const entry of ["stages.ts", "weights.ts", "eval.ts", "align.ts", "mod.ts"]) {
    const r = await run(["info", "--json", entry]);
    assertEquals(r.code, 0, r.err);
    const graph = JSON.parse(r.out) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
      }[];
    };
    const bySpec = new Map(graph.modules.map((m) => [m.specifier, m]));
    // Follow static imports only.
    const start = new URL(entry, "file://" + ROOT).href;
    const seen = new Set([start]);
    const todo = [start];
    while (todo.length) {
      const m = bySpec.get(todo.pop()!);
      for (const dep of m?.dependencies ?? []) {
        const s = dep.code?.specifier;
        if (!s || dep.isDynamic || seen.has(s)) continue;
        seen.add(s);
        todo.push(s);
      }
    }
    assert(![...seen].some((s) => s.endsWith("default_weights_data.ts")), entry);
  }
});

Deno.test("JPEG detection needs only --allow-read; a PNG without --allow-ffi fails alone, saying why", async () => {
  // A PNG made here (this process may load imagescript), detected in a process that may not.
  const { Image } = await import("imagescript");
  const png = await Deno.makeTempFile({ suffix: ".png" });
  try {
    const img = new Image(40, 30);
    img.fill(0x808080ff);
    await Deno.writeFile(png, await img.encode());
    const script = `
import { createDetector } from "./mod.ts";
const d = await createDetector({ workers: 2 });
if (d._tag === "Left") throw new Error(d.left.message);
const r = await d.right.detectMany(["fixtures/faces/group_640x480.jpg", ${JSON.stringify(png)}]);
console.log(JSON.stringify(r.map((x) => x._tag === "Right" ? x.right.faces.length : x.left)));
d.right.dispose();
`;
    const r = await run(["run", "--allow-read", "-"], script);
    assertEquals(r.code, 0, r.err);
    const [jpeg, failed] = JSON.parse(r.out);
    assertEquals(jpeg, 6);
    assertEquals(failed._tag, "DecodeError");
    assert(/needs imagescript.*--allow-ffi/.test(failed.message), failed.message);
  } finally {
    await Deno.remove(png);
  }
});
