import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./_assert.ts";
import { decodeCheckpoint } from "../lib/train/checkpoint_format.ts";
import { generatePnetSet, loadTrainingImages } from "../train.ts";

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

const train = (data: string, out: string, extra: string[] = []) =>
  new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      root("cli/train.ts"),
      "--net",
      "pnet",
      "--data",
      data,
      "--out",
      out,
      "--epochs",
      "60",
      "--batch-size",
      "16",
      "--seed",
      "5",
      "--lr",
      "0.005",
      "--flip",
      "--checkpoint-every",
      "3",
      "--backend",
      "wasm",
      "--export",
      `${out}/pnet`,
      ...extra,
    ],
    stdout: "piped",
    stderr: "piped",
  });

Deno.test("training killed with SIGKILL mid-epoch resumes from its checkpoint to the same weights", async () => {
  const data = await Deno.makeTempDir({ prefix: "mtcnn_kill_" });
  const ref = await Deno.makeTempDir();
  const out = await Deno.makeTempDir();
  try {
    const imgs = await loadTrainingImages(root("fixtures/train/faces.json"), "json");
    assert(imgs._tag === "Right");
    if (imgs._tag !== "Right") return;
    const g = await generatePnetSet(imgs.right, { out: data, seed: 4, shardSize: 40 });
    assert(g._tag === "Right");

    const uninterrupted = await train(data, ref).output();
    assertEquals(uninterrupted.code, 0, new TextDecoder().decode(uninterrupted.stderr));

    const child = train(data, out).spawn();
    const ckpt = `${out}/checkpoint.bin`;
    // Wait for a few checkpoints, then kill without warning (the process may be writing one).
    let seen = 0;
    for (let i = 0; i < 600 && seen < 4; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const st = await Deno.stat(ckpt).catch(() => undefined);
      if (st) seen++;
    }
    child.kill("SIGKILL");
    const killed = await child.output();
    assert(killed.code !== 0, "the run was killed before it finished");
    const bytes = await Deno.readFile(ckpt);
    const c = decodeCheckpoint<{ globalStep: number; epoch: number }>(bytes, ckpt);
    assert(c._tag === "Right", c._tag === "Left" ? c.left.message : "");
    if (c._tag !== "Right") return;
    assert(c.right.meta.globalStep < 60 * 7, "killed before the end");
    const names = [...Deno.readDirSync(out)].map((e) => e.name);
    assert(!names.includes("pnet.lz4"), "no export yet");

    const resumed = await train(data, out, ["--resume"]).output();
    assertEquals(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
    assert(new TextDecoder().decode(resumed.stderr).includes("resumed pnet"));
    assertEquals(await Deno.readFile(`${out}/pnet.lz4`), await Deno.readFile(`${ref}/pnet.lz4`));
  } finally {
    for (const d of [data, ref, out]) await Deno.remove(d, { recursive: true });
  }
});
