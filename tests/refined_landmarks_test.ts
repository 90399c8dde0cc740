import { runCli } from "./_cli_process.ts";
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { createDetector, type Face, PRESETS } from "../mod.ts";
import {
  cascade,
  faceAndLandmarks,
  loadImage,
  refineLandmarks,
  resolveOptions,
} from "../stages.ts";
import { type ONetWeights, writeNetWeightsFile } from "../weights.ts";
import { defaultWeights, makeDetector } from "./_shared.ts";
import { ASTRONAUT, GROUP, IVAN } from "./_faces.ts";

const PHOTOS = [GROUP, IVAN, ASTRONAUT];

/** The faces without their landmarks. */
const boxesOf = (faces: readonly Face[]) => faces.map((f) => ({ box: f.box, c: f.confidence }));

/** Largest landmark move between two lists of the same faces, in pixels. */
const largestMove = (a: readonly Face[], b: readonly Face[]): number =>
  Math.max(
    ...a.flatMap((f, i) =>
      Object.entries(f.keypoints!).map(([k, p]) => {
        const q = b[i].keypoints![k as keyof Face["keypoints"] & string];
        return Math.hypot(p[0] - q[0], p[1] - q[1]);
      })
    ),
  );

/** The default ONet with its landmark head scaled: another landmark net, same detection. */
const otherLandmarkOnet = (o: ONetWeights): ONetWeights => {
  const params = { ...o.params } as Record<string, Float32Array>;
  params["fc6-2/kernel"] = params["fc6-2/kernel"].map((v) => v * 0.9);
  return { ...o, params: params as ONetWeights["params"] };
};

Deno.test('resolveOptions(): landmarks is "onet" by default, "refined" in the accurate preset, checked', () => {
  const d = resolveOptions();
  assert(d._tag === "Right" && d.right.landmarks === "onet");
  assertEquals(PRESETS.accurate.landmarks, "refined");
  const a = resolveOptions({ preset: "accurate" });
  assert(a._tag === "Right" && a.right.landmarks === "refined");
  const back = resolveOptions({ preset: "accurate", landmarks: "onet" });
  assert(back._tag === "Right" && back.right.landmarks === "onet");
  const bad = resolveOptions({ landmarks: "better" as "onet" });
  assert(
    bad._tag === "Left" && bad.left._tag === "OptionError" &&
      bad.left.message.includes("landmarks"),
  );
});

Deno.test("createDetector() refuses refined landmarks on the face-only cascade and a landmarkOnet that is not ONet", async () => {
  const w = await defaultWeights();
  for (const workers of [0, 1]) {
    const a = await createDetector({
      weights: w,
      cascade: "faceOnly",
      landmarks: "refined",
      workers,
    });
    assert(a._tag === "Left" && a.left._tag === "OptionError", JSON.stringify(a));
  }
  const b = await createDetector({ weights: w, landmarkOnet: w.rnet as unknown as ONetWeights });
  assert(
    b._tag === "Left" && b.left._tag === "WeightsError" && b.left.message.includes("landmarkOnet"),
  );
});

Deno.test('landmarks: "refined" never moves a box nor changes the face count, and is the landmark stage after the cascade', async () => {
  const plain = await makeDetector();
  const composed = await makeDetector({
    stages: (nets, o) => cascade(faceAndLandmarks(nets, o), refineLandmarks(nets.onet)),
  });
  const before = tf.memory().numTensors;
  try {
    for (const file of PHOTOS) {
      const a = await plain.detect(file);
      const b = await plain.detect(file, { landmarks: "refined" });
      const c = await composed.detect(file);
      assert(a._tag === "Right" && b._tag === "Right" && c._tag === "Right", file);
      if (a._tag !== "Right" || b._tag !== "Right" || c._tag !== "Right") return;
      assert(a.right.faces.length > 0, file);
      assertEquals(boxesOf(b.right.faces), boxesOf(a.right.faces), `${file}: boxes kept`);
      assertEquals(b.right.faces, c.right.faces, `${file}: the landmark stage's landmarks`);
      const moved = largestMove(a.right.faces, b.right.faces);
      assert(moved > 0.5 && moved < 20, `${file}: landmarks moved by ${moved} px`);
      assert(b.right.timings.landmarks > 0);
    }
    assertEquals(tf.memory().numTensors, before);
  } finally {
    composed.dispose();
    plain.dispose();
  }
});

Deno.test("a landmarkOnet changes only the landmarks; the worker detector gives the in-thread faces with it and without", async () => {
  const w = await defaultWeights();
  const other = otherLandmarkOnet(w.onet);
  const refined = await makeDetector({ landmarks: "refined" });
  const own = await makeDetector({ landmarks: "refined", landmarkOnet: other });
  const pooled = await makeDetector({ landmarks: "refined", workers: 2 });
  const pooledOwn = await makeDetector({ landmarks: "refined", landmarkOnet: other, workers: 2 });
  const before = tf.memory().numTensors;
  try {
    const img = await loadImage(GROUP);
    assert(img._tag === "Right");
    if (img._tag !== "Right") return;
    const [a, b, c, d] = await Promise.all([
      refined.detect(img.right),
      own.detect(img.right),
      pooled.detect(img.right),
      pooledOwn.detect(img.right),
    ]);
    assert(a._tag === "Right" && b._tag === "Right" && c._tag === "Right" && d._tag === "Right");
    assertEquals(boxesOf(b.right.faces), boxesOf(a.right.faces));
    assert(largestMove(a.right.faces, b.right.faces) > 0.1, "the own landmark net is used");
    assertEquals(c.right.faces, a.right.faces);
    assertEquals(d.right.faces, b.right.faces);
    assertEquals(tf.memory().numTensors, before);
  } finally {
    pooled.dispose();
    pooledOwn.dispose();
    own.dispose();
    refined.dispose();
  }
});

Deno.test("detect: misused --landmarks and --landmark-onet are one-line usage errors (exit 2)", async () => {
  const cases: [string[], string][] = [
    [["--landmarks", "best"], "error: --landmarks must be onet or refined"],
    [["--landmarks", "refined", "--face-only"], "error: --landmarks refined needs landmarks"],
    [["--landmark-onet", "onet.lz4"], "error: --landmark-onet needs --landmarks refined"],
  ];
  for (const [args, says] of cases) {
    const r = await runCli("detect", ...args, "x.jpg");
    assertEquals(r.code, 2, args.join(" "));
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert(r.stderr.startsWith(says), r.stderr);
  }
  const missing = await runCli(
    "detect",
    "--landmarks",
    "refined",
    "--landmark-onet",
    "nope.lz4",
    "x.jpg",
  );
  assertEquals(missing.code, 1, missing.stderr);
  assert(
    missing.stderr.startsWith("error: ") && missing.stderr.includes("nope.lz4"),
    missing.stderr,
  );
});

Deno.test("detect --landmarks refined (and --landmark-onet FILE) gives the same boxes with other landmarks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The default ONet written to a file: --landmark-onet must give what the default gives.
    const file = `${dir}/onet.lz4`;
    const wrote = await writeNetWeightsFile(file, (await defaultWeights()).onet);
    assert(wrote._tag === "Right", JSON.stringify(wrote));
    const [a, b, c] = await Promise.all([
      runCli("detect", GROUP),
      runCli("detect", "--landmarks", "refined", GROUP),
      runCli("detect", "--landmarks", "refined", "--landmark-onet", file, GROUP),
    ]);
    for (const r of [a, b, c]) assertEquals(r.code, 0, r.stderr);
    const [fa, fb, fc] = [a, b, c].map((r) => JSON.parse(r.stdout).faces as Face[]);
    assertEquals(fa.length, 6);
    assertEquals(boxesOf(fb), boxesOf(fa));
    assert(largestMove(fa, fb) > 0.5);
    assertEquals(fc, fb);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
