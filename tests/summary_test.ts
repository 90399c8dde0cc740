import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals } from "./_assert.ts";
import { initWeights, onet, pnet, rnet, summary, summaryRows, toTensors } from "../train.ts";
import { NET_SPECS, type NetName } from "../weights.ts";
import { useBackend } from "../mod.ts";
import { run } from "../cli/summary.ts";

// The forward passes below need a started backend (the one the tests choose).
await useBackend((Deno.env.get("MTCNN_BACKEND") ?? "auto") as "auto");

const NETS: readonly NetName[] = ["pnet", "rnet", "onet"];

/** Runs `summary` with `args`, capturing what it prints. */
const cli = async (args: string[]) => {
  const out: string[] = [], err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    return { code: await run(args), out: out.join("\n"), err };
  } finally {
    console.log = log;
    console.error = error;
  }
};

Deno.test("summary() totals are the guide's: PNet 6,632, RNet 100,178, ONet 389,040", () => {
  const want = { pnet: "6,632", rnet: "100,178", onet: "389,040" };
  for (const net of NETS) {
    assert(summary(net).endsWith(`Total params: ${want[net]}`), summary(net));
  }
});

Deno.test("summaryRows() counts every parameter of NET_SPECS once", () => {
  for (const net of NETS) {
    const fromSpec = NET_SPECS[net].reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    assertEquals(summaryRows(net).reduce((n, r) => n + r.params, 0), fromSpec, net);
    const layers = new Set(NET_SPECS[net].map((p) => p.name.split("/")[0]));
    const withParams = summaryRows(net).filter((r) => r.params > 0).map((r) => r.name);
    assertEquals(new Set(withParams), layers, net);
    assertEquals(withParams.length, layers.size, net);
  }
});

Deno.test("summaryRows() output shapes are those the nets compute", () => {
  const before = tf.memory().numTensors;
  const heads = (net: NetName, side: number): number[][] => {
    const w = toTensors(initWeights(net, 1) as never);
    const x = tf.zeros([1, side, side, 3]) as tf.Tensor4D;
    const out = net === "pnet"
      ? pnet(w as never)(x)
      : net === "rnet"
      ? rnet(w as never)(x)
      : onet(w as never)(x);
    const shapes = Object.values(out).map((t) => (t as tf.Tensor).shape.slice(1));
    tf.dispose([x, ...Object.values(out), ...Object.values(w)]);
    return shapes;
  };
  const want = {
    pnet: ["conv4-1", "prob1"],
    rnet: ["fc5-1", "prob1"],
    onet: ["fc6-1", "fc6-2", "prob1"],
  };
  for (const net of NETS) {
    const rows = summaryRows(net);
    const side = rows[0].shape[0];
    const table = want[net].map((name) => [...rows.find((r) => r.name === name)!.shape]);
    assertEquals(new Set(heads(net, side).map(String)), new Set(table.map(String)), net);
  }
  assertEquals(tf.memory().numTensors, before);
});

Deno.test("RNet and ONet flatten 576 and 1152 features, as the published dense weights expect", () => {
  assertEquals(summaryRows("rnet").find((r) => r.name === "flatten")?.shape, [576]);
  assertEquals(summaryRows("onet").find((r) => r.name === "flatten")?.shape, [1152]);
});

Deno.test("summary command prints one table or all three; a bad name is a one-line usage error", async () => {
  const one = await cli(["onet"]);
  assertEquals(one.code, 0);
  assert(one.out.startsWith('Model: "ONet"') && one.out.includes("Total params: 389,040"));
  const all = await cli([]);
  assertEquals(all.code, 0);
  assertEquals(all.out.split("Total params:").length, 4);
  const bad = await cli(["qnet"]);
  assertEquals(bad.code, 2);
  assertEquals(bad.err.length, 1);
  assert(bad.err[0].includes('unknown network "qnet"'), bad.err[0]);
  assertEquals((await cli(["--bogus"])).code, 2);
});
