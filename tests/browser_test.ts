/**
 * The library in a real browser: the demo page (web/) in headless Chromium, driven with
 * puppeteer-core. Run with `deno task test:browser` (needs --allow-net and Debian's chromium;
 * ignored with a message otherwise). Screenshots go to `$MTCNN_SCREENSHOTS` when it is set.
 */
import { fileURLToPath } from "node:url";
import type { Face } from "../lib/face.ts";
import { iou } from "../lib/nms.ts";
import { assert, assertEquals } from "./_assert.ts";
import {
  browserMissing,
  collectErrors,
  type DemoServer,
  FACES_DIR,
  launchChromium,
  pageOutcome,
  screenshot,
  serveDemo,
  type TestBrowser,
} from "./_browser.ts";

/**
 * These tests run in `deno task test:browser` (which sets MTCNN_TEST_BROWSER=1, with the build
 * tools' lockfile for puppeteer-core), not in `deno task test`: there they register nothing, so
 * that CI does not run them twice.
 */
const BROWSER_RUN = Deno.env.get("MTCNN_TEST_BROWSER") === "1";
const missing = browserMissing();
if (BROWSER_RUN && missing) console.warn(`browser_test.ts: browser tests ignored: ${missing}`);
const browserTest: (t: Deno.TestDefinition) => void = BROWSER_RUN ? Deno.test : () => {};

const PHOTOS = ["ivan.jpg", "astronaut_512x512.jpg", "group_640x480.jpg"];
const ROOT = fileURLToPath(new URL("../", import.meta.url));

// puppeteer keeps a WebSocket and timers to the browser open between steps of a test.
const opts = { ignore: missing !== undefined, sanitizeOps: false, sanitizeResources: false };

interface Line {
  image: string;
  width: number;
  height: number;
  faces: Face[];
}

const xyxy = (b: readonly number[]): number[] => [b[0], b[1], b[0] + b[2], b[1] + b[3]];

/** The CLI's lines for the fixture photos, by file name. */
const cliLines = async (): Promise<Map<string, Line>> => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-ffi",
      "--allow-env",
      "--allow-sys",
      "cli.ts",
      "detect",
      ...PHOTOS.map((p) => FACES_DIR + p),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, `deno task detect failed: ${new TextDecoder().decode(out.stderr)}`);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
  return new Map(lines.map((l: Line) => [l.image.split("/").pop()!, l]));
};

/** Same count, each CLI face matched by a page face at IoU >= 0.95, landmarks within 2%. */
const assertSameFaces = (page: Line, cli: Line, name: string): void => {
  assertEquals([page.width, page.height], [cli.width, cli.height], `${name}: size`);
  assertEquals(page.faces.length, cli.faces.length, `${name}: number of faces`);
  const used = new Set<number>();
  for (const f of cli.faces) {
    let best = -1, bestIou = 0;
    page.faces.forEach((g, k) => {
      const v = iou(xyxy(f.box), xyxy(g.box));
      if (!used.has(k) && v > bestIou) [best, bestIou] = [k, v];
    });
    assert(bestIou >= 0.95, `${name}: face at ${f.box} best IoU ${bestIou.toFixed(4)} < 0.95`);
    used.add(best);
    const g = page.faces[best];
    for (const [k, p] of Object.entries(f.keypoints!)) {
      const q = g.keypoints![k as keyof Face["keypoints"] & string] as readonly number[];
      const d = Math.hypot(p[0] - q[0], p[1] - q[1]) / f.box[2];
      assert(d <= 0.02, `${name}: ${k} is ${(d * 100).toFixed(2)}% of the box width away`);
    }
  }
};

let server: DemoServer | undefined;
let chromium: TestBrowser | undefined;

const start = async (): Promise<{ origin: string; browser: TestBrowser["browser"] }> => {
  server ??= await serveDemo();
  chromium ??= await launchChromium();
  return { origin: server.origin, browser: chromium.browser };
};

browserTest({
  name: "the page finds the CLI's faces on the fixture photos, with flat numTensors",
  ...opts,
  fn: async () => {
    const [{ origin, browser }, cli] = await Promise.all([start(), cliLines()]);
    const page = await browser.newPage();
    const errors = collectErrors(page);
    const tensors: number[] = [];
    // One page for all photos (the detector stays warm): the later ones are picked as files.
    await page.goto(`${origin}/?image=/images/${PHOTOS[0]}`);
    for (const [i, name] of PHOTOS.entries()) {
      if (i > 0) {
        await page.evaluate(`document.getElementById("result").textContent = ""`);
        const input = await page.$("#file");
        await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(
          FACES_DIR + name,
        );
      }
      const { result, error } = await pageOutcome(page);
      assertEquals(error, "", `${name}: #error`);
      const line = JSON.parse(result) as Line;
      assertEquals(line.image, i === 0 ? `/images/${name}` : name);
      assertSameFaces(line, cli.get(name)!, name);
      tensors.push(
        Number(await page.evaluate(`document.getElementById("result").dataset.numTensors`)),
      );
      await screenshot(page, `photo_${name.replace(/\.\w+$/, "")}`);
    }
    const crops: number[][] = await page.evaluate(
      `[...document.querySelectorAll("#crops canvas")].map((e) => [e.width, e.height])`,
    );
    assertEquals(crops.length, cli.get(PHOTOS[2])!.faces.length, "aligned crops of the last photo");
    assert(crops.every(([w, h]) => w === 112 && h === 112), "crops are 112x112");
    assert(tensors[0] > 0, "numTensors is reported");
    assertEquals(tensors, tensors.map(() => tensors[0]), "tf.memory().numTensors after each photo");
    assertEquals(errors, [], "console errors");
    await page.close();
  },
});

browserTest({
  name: "a bad image URL gives a one-line #error, not a hang",
  ...opts,
  fn: async () => {
    const { origin, browser } = await start();
    const cases: [string, RegExp][] = [
      ["/images/no_such.jpg", /no_such\.jpg: cannot read \(HTTP 404/],
      ["/images/LICENSES.md", /LICENSES\.md: not a JPEG, PNG, GIF or TIFF image/],
      // The browser resolves %2e%2e itself: the request is /deno.json, which the site lacks.
      ["/images/%2e%2e/deno.json", /cannot read \(HTTP 40[34]/],
      ["http://example.invalid/x.jpg", /only images of this page's origin/],
    ];
    for (const [url, expected] of cases) {
      const page = await browser.newPage();
      await page.goto(`${origin}/?image=${encodeURIComponent(url)}`);
      const { result, error } = await pageOutcome(page, 20_000);
      assertEquals(result, "", `${url}: #result`);
      assert(expected.test(error), `${url}: #error is ${JSON.stringify(error)}`);
      assert(!error.includes("\n"), `${url}: one line`);
      if (url.includes("no_such")) await screenshot(page, "bad_url");
      await page.close();
    }
  },
});

browserTest({
  name: "a dropped image is detected, and without a camera the webcam button says why",
  ...opts,
  fn: async () => {
    const { origin, browser } = await start();
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(`${origin}/`);
    await page.waitForFunction(`document.getElementById("status").textContent.startsWith("Ready")`);
    // A drop as a person makes it: a DataTransfer holding the file, dropped on the page.
    await page.evaluate(`(async () => {
      const blob = await (await fetch("/images/ivan.jpg")).blob();
      const dt = new DataTransfer();
      dt.items.add(new File([blob], "ivan.jpg", { type: "image/jpeg" }));
      document.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true }));
    })()`);
    const { result, error } = await pageOutcome(page);
    assertEquals(error, "");
    const line = JSON.parse(result) as Line;
    assertEquals([line.image, line.faces.length], ["ivan.jpg", 1]);
    // This browser has no camera device: the page says so instead of failing silently.
    await page.click("#webcam");
    await page.waitForFunction(`!document.getElementById("notice").hidden`, { timeout: 20_000 });
    const notice: string = await page.evaluate(`document.getElementById("notice").textContent`);
    assert(/^The camera is not available/.test(notice), notice);
    await screenshot(page, "no_camera");
    assertEquals(errors, [], "console errors");
    await page.close();
  },
});

/** A 640x480 clip of the fixture photos (2 s of the group, 2 s of ivan.jpg), as y4m. */
const makeClip = async (dir: string): Promise<string> => {
  const clip = `${dir}/faces.y4m`;
  const fit = "scale=640:480:force_original_aspect_ratio=decrease," +
    "pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=15";
  const out = await new Deno.Command("ffmpeg", {
    args: [
      ..."-v error -y -loop 1 -t 2 -i".split(" "),
      FACES_DIR + "group_640x480.jpg",
      ..."-loop 1 -t 2 -i".split(" "),
      FACES_DIR + "ivan.jpg",
      "-filter_complex",
      `[0:v]${fit}[a];[1:v]${fit}[b];[a][b]concat=n=2:v=1[v]`,
      ..."-map [v] -pix_fmt yuv420p".split(" "),
      clip,
    ],
    stderr: "piped",
  }).output();
  assert(out.success, `ffmpeg failed: ${new TextDecoder().decode(out.stderr)}`);
  return clip;
};

const hasFfmpeg = (() => {
  try {
    return new Deno.Command("ffmpeg", { args: ["-version"], stdout: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();
if (!missing && !hasFfmpeg) console.warn("browser_test.ts: webcam test ignored: no ffmpeg");

browserTest({
  name: "webcam mode with Chromium's fake camera detects faces on 40 frames, numTensors flat",
  ...opts,
  ignore: opts.ignore || !hasFfmpeg,
  fn: async () => {
    const { origin } = await start();
    const dir = await Deno.makeTempDir({ prefix: "mtcnn_clip_" });
    const cam = await launchChromium([
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${await makeClip(dir)}`,
    ]);
    try {
      const page = await cam.browser.newPage();
      const errors = collectErrors(page);
      await page.goto(`${origin}/?webcam=1&frames=40`);
      await page.waitForFunction(`document.getElementById("stats").dataset.done === "1"`, {
        timeout: 90_000,
      });
      assertEquals(
        await page.evaluate(`document.getElementById("error").textContent`),
        "",
        "#error",
      );
      const s: { frames: number; tensors: number[]; faces: number[] } = await page.evaluate(
        `globalThis.mtcnnStats`,
      );
      assertEquals(s.frames, 40, "frames");
      assert(s.faces.every((n) => n >= 1), `a face on every frame: ${s.faces}`);
      assert(s.faces.some((n) => n >= 5), `the group's faces on some frames: ${s.faces}`);
      assertEquals(s.tensors, s.tensors.map(() => s.tensors[0]), "numTensors per frame");
      await screenshot(page, "webcam");
      assertEquals(errors, [], "console errors");
      await page.close();
    } finally {
      await cam.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

browserTest({
  name: "browser tests: stop the server and the browser",
  ...opts,
  fn: async () => {
    await chromium?.close();
    await server?.close();
  },
});
