/**
 * Makes a copy of `wider_val_416` turned clockwise by 90, 180 or 270 degrees, images and
 * ground-truth boxes, for measuring the `rotations` option (docs/accuracy.md). The images are
 * written as PNG (the decoded pixels turned, nothing re-compressed), the ground truth in the
 * official format, and the difficulty splits under the new names. Write it to a temporary folder:
 * the data is WIDER FACE's (research use), never part of the project.
 *
 *   deno run -A scripts/make_rotated_wider.ts --angle 90 --out /tmp/wider416_r90
 *   deno task eval wider --gt /tmp/wider416_r90/gt.txt --images /tmp/wider416_r90/images \
 *     --splits /tmp/wider416_r90/splits.json --rotations 0,90,180,270
 *
 * Options: `--data DIR` (default `../shared/data`).
 */
import { join } from "node:path";
import { parseArgs } from "../cli/args.ts";
import { rgbToImage } from "../align.ts";
import { isRotation } from "../lib/rotation.ts";
import { loadImage, rotateImage, type Rotation } from "../stages.ts";

const parsed = parseArgs(Deno.args, { values: ["angle", "out", "data"], flags: [] });
if (typeof parsed === "string") throw new Error(parsed);
const angle = Number(parsed.options.angle);
const out = parsed.options.out;
if (!isRotation(angle) || typeof out !== "string") {
  console.error("usage: make_rotated_wider.ts --angle 0|90|180|270 --out DIR [--data DIR]");
  Deno.exit(2);
}
const data = typeof parsed.options.data === "string"
  ? parsed.options.data
  : new URL("../../shared/data", import.meta.url).pathname;
const src = join(data, "wider_val_416");
const gtLines = Deno.readTextFileSync(join(src, "gt_scaled_416_bbx_gt.txt")).split(/\r?\n/);
const splits = JSON.parse(Deno.readTextFileSync(join(data, "wider_val_gt/difficulty_splits.json")));

/** A box x, y, w, h of a `width` x `height` image, in the image turned clockwise by `a`. */
const turnBox = (a: Rotation, width: number, height: number, b: number[]): number[] => {
  const [x, y, w, h] = b;
  if (a === 90) return [height - y - h, x, h, w];
  if (a === 180) return [width - x - w, height - y - h, w, h];
  if (a === 270) return [y, width - x - w, h, w];
  return [x, y, w, h];
};

const png = (name: string) => name.replace(/\.[a-z]+$/i, ".png");
Deno.mkdirSync(join(out, "images"), { recursive: true });
const gtOut: string[] = [];
let images = 0, faces = 0;
for (let i = 0; i < gtLines.length;) {
  const name = gtLines[i++].trim();
  if (!name) continue;
  const n = Number(gtLines[i++]);
  const img = await loadImage(join(src, "images", name.split("/").pop()!));
  if (img._tag === "Left") throw new Error(img.left.message);
  const { width, height } = img.right;
  gtOut.push(png(name), String(n));
  // The official format keeps one (ignored) line of zeros for an image without faces.
  const rows = Math.max(n, 1);
  for (let k = 0; k < rows; k++) {
    const v = gtLines[i++].trim().split(/\s+/).map(Number);
    const box = n === 0 ? v.slice(0, 4) : turnBox(angle, width, height, v.slice(0, 4));
    gtOut.push([...box.map((x) => +x.toFixed(2)), ...v.slice(4)].join(" "));
  }
  const turned = rotateImage(img.right, angle);
  Deno.writeFileSync(
    join(out, "images", png(name.split("/").pop()!)),
    await rgbToImage(turned).encode(),
  );
  images++;
  faces += n;
}
Deno.writeTextFileSync(join(out, "gt.txt"), gtOut.join("\n") + "\n");
const renamed = Object.fromEntries(
  Object.entries(splits.splits ?? splits).map(([setting, perImage]) => [
    setting,
    Object.fromEntries(Object.entries(perImage as object).map(([k, v]) => [png(k), v])),
  ]),
);
Deno.writeTextFileSync(join(out, "splits.json"), JSON.stringify(renamed));
console.log(`${images} images, ${faces} faces turned by ${angle} into ${out}`);
