/**
 * WebGPU in headless Chromium (`--enable-unsafe-webgpu`): whether an adapter appears, and on a
 * 120x120 crop of `ivan.jpg` (small: a software adapter is slow) the detection time and faces
 * of the demo's worker on the webgpu backend against wasm's.
 *
 *   deno run --lock=scripts/deno.lock --node-modules-dir=none -A bench/browser_webgpu.ts [--runs N]
 */
import { FACES_DIR, launchChromium, serveDemo } from "../tests/_browser.ts";

const runs = Number(Deno.args[Deno.args.indexOf("--runs") + 1] || "3");
const dir = await Deno.makeTempDir({ prefix: "mtcnn_webgpu_" });
const crop = await new Deno.Command("ffmpeg", {
  args: ["-v", "error", "-y", "-i", `${FACES_DIR}ivan.jpg`, "-vf", "crop=120:120:242:66"]
    .concat(["-q:v", "2", `${dir}/ivan_crop.jpg`]),
}).output();
if (!crop.success) throw new Error("ffmpeg failed");

const server = await serveDemo(dir);
const chromium = await launchChromium(["--enable-unsafe-webgpu"]);
const page = await chromium.browser.newPage();
page.setDefaultTimeout(900_000);
await page.goto(`${server.origin}/style.css`);
const adapter = await page.evaluate(`(async () => {
  if (!navigator.gpu) return "no navigator.gpu";
  const a = await navigator.gpu.requestAdapter();
  return a ? JSON.stringify({ vendor: a.info?.vendor, architecture: a.info?.architecture }) : "none";
})()`);
console.log(`adapter: ${adapter}`);

type Run = { ms: number[]; faces: { box: number[]; confidence: number }[] };
const detect = async (backend: string): Promise<Run | string> =>
  await page.evaluate(`new Promise((resolve) => {
    const w = new Worker("/worker.js", { type: "module" });
    const ms = [];
    w.onmessage = (e) => {
      const m = e.data;
      if (m.type === "error") { w.terminate(); return resolve(m.message); }
      if (m.type === "result") ms.push(m.detectMs);
      if (m.type === "result" && ms.length === ${runs}) { w.terminate(); return resolve({ ms, faces: m.line.faces }); }
      w.postMessage({ type: "url", id: ms.length, url: "/images/ivan_crop.jpg", crops: false });
    };
    w.postMessage({ type: "init", backend: "${backend}" });
  })`) as Run | string;

const wasm = await detect("wasm");
const gpu = await detect("webgpu");
for (const [name, r] of [["wasm", wasm], ["webgpu", gpu]] as const) {
  if (typeof r === "string") console.log(`${name}: ${r}`);
  else {
    console.log(
      `${name}: detection ms per run ${r.ms.map((x) => x.toFixed(0)).join(", ")}; ` +
        `faces ${JSON.stringify(r.faces.map((f) => f.box.map((v) => +v.toFixed(4))))}`,
    );
  }
}
if (typeof wasm !== "string" && typeof gpu !== "string") {
  const d = Math.max(
    ...wasm.faces.flatMap((f, i) => f.box.map((v, k) => Math.abs(v - gpu.faces[i].box[k]))),
  );
  console.log(
    `same number of faces: ${wasm.faces.length === gpu.faces.length}; ` +
      `largest box difference ${d.toExponential(2)} px`,
  );
}
await chromium.close();
await server.close();
await Deno.remove(dir, { recursive: true });
