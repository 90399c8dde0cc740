/**
 * The command line as a user runs it, start-up to exit: `deno task detect` in a subprocess on
 * (a) the 200 `wider_val_416` images (a directory) and (b) 20 bench images (the 4 of
 * `../shared/data/bench`, 5 copies each, as 20 file arguments). Medians of several rounds:
 * seconds, images/s, CPU seconds, peak RSS, and the ratio to facenet-pytorch's anchor of
 * `../shared/README.md` (15.3-15.6 images/s on (a), batches of 32, 2 threads).
 *
 *   deno run -A bench/whole_process.ts [--rounds 5] [--cases a,b] [--against DIR] [--torch]
 *     [-- ARGS...]
 *
 * `--against DIR` also runs another checkout's command line (its own deno.json and cli.ts), in
 * the same rounds, alternating: an A/B of two versions on the same machine state. `--torch` runs
 * the same-run PyTorch anchor (`bench/torch_mtcnn.ts`, batches of 32, 2 threads) when it is there,
 * in every round after ours, and prints its median whole-process time and the ratios. Arguments after `--`
 * go to `detect` (e.g. `-- --workers 0`). Skips with a message when `../shared` is absent.
 */
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HAS_SHARED, sharedData } from "../tests/_shared.ts";

/** facenet-pytorch's whole-process throughput on (a), ../shared/README.md. */
const TORCH_IMAGES_PER_S: readonly [number, number] = [15.3, 15.6];

const argv = Deno.args.indexOf("--") >= 0 ? Deno.args.slice(0, Deno.args.indexOf("--")) : Deno.args;
const extra = Deno.args.indexOf("--") >= 0 ? Deno.args.slice(Deno.args.indexOf("--") + 1) : [];
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const rounds = Number(value("--rounds") ?? 5);
const here = fileURLToPath(new URL("..", import.meta.url));
const roots: [string, string][] = [["this checkout", here]];
const against = value("--against");
if (against) roots.push([`against ${against}`, resolve(against)]);

if (!HAS_SHARED) {
  console.log("whole_process: ../shared/data is absent; nothing measured");
  Deno.exit(0);
}

/** CPU seconds of finished children (user + system), from /proc/self/stat's cutime, cstime. */
const childCpu = (): number => {
  const f = Deno.readTextFileSync("/proc/self/stat");
  const x = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(x[13]) + Number(x[14])) / 100;
};

const loadavg = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");

const wider = sharedData("wider_val_416/images");
const benchDir = sharedData("bench");
const benchFiles = [...Deno.readDirSync(benchDir)].map((e) => e.name).filter((n) =>
  n.endsWith(".jpg")
).sort();
// 20 distinct paths (the command skips a path given twice): copies in a temporary folder.
const copies = await Deno.makeTempDir({ prefix: "mtcnn_whole_process_" });
const twenty: string[] = [];
for (let k = 0; k < 5; k++) {
  for (const f of benchFiles) {
    const to = join(copies, `${k}_${basename(f)}`);
    await Deno.copyFile(join(benchDir, f), to);
    twenty.push(to);
  }
}
const only = value("--cases") ?? "a,b";
const cases: [string, string[], number][] = ([
  ["(a) wider_val_416, 200 images (directory)", [wider], 200],
  [`(b) bench, ${twenty.length} images (files)`, twenty, twenty.length],
] as [string, string[], number][]).filter(([name]) => only.includes(name[1]));

/** The `detect` task's command line of the checkout at `root` (its own permissions). */
const detectCommand = (root: string): string[] => {
  const config = JSON.parse(Deno.readTextFileSync(join(root, "deno.json")));
  const task: string = config.tasks.detect;
  return task.split(/\s+/).filter((s) => s !== "").slice(1); // without the leading "deno"
};

interface Run {
  seconds: number;
  cpu: number;
  rssMb: number;
  lines: number;
}

/** One whole process: wall seconds, CPU seconds, peak RSS (of the biggest process), lines out. */
const once = async (root: string, inputs: string[]): Promise<Run> => {
  const useTime = await Deno.stat("/usr/bin/time").then(() => true, () => false);
  const cmd = ["deno", ...detectCommand(root), ...extra, ...inputs];
  const args = useTime ? ["-f", "%M", ...cmd] : cmd.slice(1);
  const c0 = childCpu();
  const t0 = performance.now();
  const out = await new Deno.Command(useTime ? "/usr/bin/time" : "deno", {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const stderr = new TextDecoder().decode(out.stderr).trim().split("\n");
  const rssKb = useTime ? Number(stderr.at(-1)) : NaN;
  const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "").length;
  return { seconds, cpu: childCpu() - c0, rssMb: rssKb / 1024, lines };
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The same-run PyTorch anchor (bench/torch_mtcnn.ts), when asked for and this checkout has it:
// run in every round after ours, so that both sides see the same machine states.
type Torch = typeof import("./torch_mtcnn.ts");
let torch: { t: Torch; anchor: { python: string } } | undefined;
if (argv.includes("--torch")) {
  const hook = new URL("./torch_mtcnn.ts", import.meta.url);
  const present = await Deno.stat(hook).then(() => true, () => false);
  if (!present) {
    console.log("--torch: bench/torch_mtcnn.ts is not in this checkout; anchor skipped");
  } else {
    const t: Torch = await import(hook.href);
    const anchor = await t.findTorchAnchor();
    if ("missing" in anchor) console.log(`--torch: anchor skipped: ${anchor.missing}`);
    else torch = { t, anchor };
  }
}
const torchSeconds = new Map<string, number[]>();

console.log(`load average at start: ${loadavg()}; ${rounds} rounds, median`);
const seen = new Map<string, Run[]>();
for (let r = 0; r < rounds; r++) {
  for (const [caseName, inputs, n] of cases) {
    for (const [rootName, root] of roots) {
      const run = await once(root, inputs);
      if (run.lines !== n) {
        console.error(`${rootName}, ${caseName}: ${run.lines} lines out, expected ${n}`);
      }
      const key = `${caseName}|${rootName}`;
      seen.set(key, [...(seen.get(key) ?? []), run]);
    }
    if (torch) {
      const dir = caseName.startsWith("(a)") ? wider : copies;
      const [line] = await torch.t.runTorchMtcnn(torch.anchor, [
        "throughput",
        dir,
        "--batch",
        "32",
      ]);
      const seconds = "process_seconds" in line ? line.process_seconds : undefined;
      if (typeof seconds === "number") {
        torchSeconds.set(caseName, [...(torchSeconds.get(caseName) ?? []), seconds]);
      }
    }
  }
}
console.log(`load average at end: ${loadavg()}`);
console.log(
  `extra detect arguments: ${extra.length ? extra.join(" ") : "(none)"}\n\n` +
    "| case | command line | seconds | images/s | CPU s | peak RSS MB | vs facenet-pytorch |\n" +
    "|---|---|---|---|---|---|---|",
);
for (const [caseName, , n] of cases) {
  for (const [rootName] of roots) {
    const runs = seen.get(`${caseName}|${rootName}`) ?? [];
    const s = median(runs.map((x) => x.seconds));
    const ips = n / s;
    const vs = caseName.startsWith("(a)")
      ? `${(ips / TORCH_IMAGES_PER_S[1]).toFixed(2)}-${
        (ips / TORCH_IMAGES_PER_S[0]).toFixed(2)
      }x its images/s`
      : "see --torch";
    console.log(
      `| ${caseName} | ${rootName} | ${s.toFixed(2)} | ${ips.toFixed(1)} | ${
        median(runs.map((x) => x.cpu)).toFixed(2)
      } | ${median(runs.map((x) => x.rssMb)).toFixed(0)} | ${vs} |`,
    );
  }
}

if (torch) {
  console.log(
    "\n| case | PyTorch anchor (same rounds): batches of 32, 2 threads | process seconds (runs) | images/s | ours / anchor: time | ours / anchor: images/s |\n|---|---|---|---|---|---|",
  );
  for (const [caseName, , n] of cases) {
    const xs = torchSeconds.get(caseName) ?? [];
    if (!xs.length) continue;
    const t = median(xs);
    const ours = median((seen.get(`${caseName}|${roots[0][0]}`) ?? []).map((x) => x.seconds));
    console.log(
      `| ${caseName} | ${torch.anchor.python} | ${t.toFixed(2)} (${
        xs.map((x) => x.toFixed(2)).join(", ")
      }) | ${(n / t).toFixed(1)} | ${(ours / t).toFixed(3)}x | ${(t / ours).toFixed(2)}x |`,
    );
  }
}
await Deno.remove(copies, { recursive: true });
