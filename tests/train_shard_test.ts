import { assert, assertEquals } from "./_assert.ts";
import { epochBatches, openDataset, parseJsonAnnotations } from "../train.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../lib/train/checkpoint_format.ts";
import {
  decodeShard,
  encodeShard,
  parseShardIndex,
  shardSample,
} from "../lib/train/shard_format.ts";
import { openShardWriter } from "../pipelines/edge/train/shard_writer.ts";

const sample = (i: number, side = 12) => ({
  image: new Uint8Array(side * side * 3).fill(i % 256),
  label: [0, 1, -1, -2][i % 4],
  box: [i / 10, -i / 10, 0.25, -0.5],
  landmarks: Array.from({ length: 10 }, (_, k) => (k + i) / 100),
});

Deno.test("a shard round-trips every field; truncation and corruption are FormatErrors", () => {
  const s = [0, 1, 2, 3, 4].map((i) => sample(i, 24));
  const bytes = encodeShard(24, s);
  const d = decodeShard(bytes);
  assert(d._tag === "Right");
  if (d._tag !== "Right") return;
  assertEquals(d.right.count, 5);
  for (let i = 0; i < 5; i++) {
    const r = shardSample(d.right, i);
    assertEquals(r.label, s[i].label);
    assertEquals(Array.from(r.image), Array.from(s[i].image));
    assertEquals(Array.from(r.box), Array.from(new Float32Array(s[i].box)));
    assertEquals(Array.from(r.landmarks), Array.from(new Float32Array(s[i].landmarks)));
  }
  const cut = decodeShard(bytes.subarray(0, bytes.length - 7), "x.bin");
  assert(cut._tag === "Left" && cut.left.message.includes("truncated"));
  const bad = bytes.slice();
  bad[100] ^= 1;
  const c = decodeShard(bad, "x.bin");
  assert(c._tag === "Left" && c.left.message.includes("checksum"));
});

Deno.test("the writer's index adds up, and the reader streams batches in a seeded order that resumes at any step", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = await openShardWriter(dir, "pnet", 12, { seed: 3, shardSize: 7 });
    for (let i = 0; i < 30; i++) await w.add(sample(i));
    const index = await w.finish();
    assertEquals([index.total, index.shards.length], [30, 5]);
    assertEquals(index.counts, { neg: 8, pos: 8, part: 7, landmark: 7 });
    const ds = await openDataset(dir);
    assert(ds._tag === "Right");
    if (ds._tag !== "Right") return;
    const collect = async (epoch: number, from: number) => {
      const out: number[][] = [];
      for await (const b of epochBatches(ds.right, 9, epoch, 4, from)) {
        assert(b._tag === "Right");
        if (b._tag === "Right") out.push(Array.from(b.right.box.filter((_, k) => k % 4 === 0)));
      }
      return out;
    };
    const full = await collect(0, 0);
    assertEquals(full.length, 7); // 30 / 4, the partial batch dropped
    const seen = full.flat().map((v) => Math.round(v * 10)).sort((a, b) => a - b);
    assertEquals(new Set(seen).size, 28, "no sample twice in an epoch");
    assertEquals(await collect(0, 3), full.slice(3));
    assertEquals(await collect(0, 0), full, "same seed and epoch, same order");
    assert(
      JSON.stringify(await collect(1, 0)) !== JSON.stringify(full),
      "another epoch, another order",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseShardIndex() rejects an index whose counts do not add up", () => {
  const r = parseShardIndex(
    JSON.stringify({
      format: "mtcnn-shards",
      version: 1,
      side: 12,
      total: 5,
      shards: [{ file: "a", count: 4 }],
    }),
  );
  assert(r._tag === "Left" && r.left.message.includes("add up"));
});

Deno.test("a checkpoint round-trips its metadata and arrays bit for bit; damage is detected", () => {
  const arrays = { "w/a": new Float32Array([1.5, -2, Math.PI]), "m/a": new Float32Array([1e-30]) };
  const bytes = encodeCheckpoint({ meta: { step: 7, prng: 123456789 }, arrays });
  const back = decodeCheckpoint<{ step: number; prng: number }>(bytes);
  assert(back._tag === "Right");
  if (back._tag !== "Right") return;
  assertEquals(back.right.meta, { step: 7, prng: 123456789 });
  assertEquals(back.right.arrays["w/a"], arrays["w/a"]);
  assertEquals(back.right.arrays["m/a"], arrays["m/a"]);
  assertEquals(decodeCheckpoint(bytes.subarray(0, bytes.length - 1))._tag, "Left");
  const bad = bytes.slice();
  bad[bad.length - 9] ^= 0x40;
  assertEquals(decodeCheckpoint(bad)._tag, "Left");
});

Deno.test("parseJsonAnnotations() reads our format and names the image and face of a bad entry", () => {
  const ok = parseJsonAnnotations(
    JSON.stringify({
      format: "mtcnn-annotations",
      version: 1,
      images: [{
        path: "a\\b.jpg",
        faces: [{ box: [1, 2, 3, 4], landmarks: [[1, 2], [3, 4], [5, 6], [7, 8], [9, 0]] }],
      }, {
        path: "c.jpg",
        faces: [],
      }],
    }),
    "f.json",
  );
  assert(ok._tag === "Right" && ok.right[0].path === "a/b.jpg" && ok.right[1].faces.length === 0);
  const bad = parseJsonAnnotations(
    JSON.stringify({
      format: "mtcnn-annotations",
      version: 1,
      images: [{ path: "x.jpg", faces: [{ box: [5, 5, 1, 9] }] }],
    }),
    "f.json",
  );
  assert(bad._tag === "Left" && bad.left.message.startsWith("f.json: images[0].faces[0] (x.jpg)"));
  assertEquals(parseJsonAnnotations("{", "f.json")._tag, "Left");
});
