/**
 * Cost of the `rotations` and `landmarks` options on `../shared/data/wider_val_416/images`
 * (416x416): ms per image (decode excluded), one thread, wasm backend, after a warm-up, for the
 * default, four rotations, refined landmarks, and the accurate preset with and without them.
 *
 *   deno run -A bench/rotations_speed.ts [--images 200]
 */
import { timeSettings } from "./_settings_speed.ts";

const at = Deno.args.indexOf("--images");
const limit = at >= 0 ? Number(Deno.args[at + 1]) : 200;
await timeSettings("setting", [
  ["default", {}],
  ["default, rotations 0,90,180,270", { rotations: [0, 90, 180, 270] }],
  ["default, landmarks refined", { landmarks: "refined" }],
  ["accurate, landmarks onet", { preset: "accurate", landmarks: "onet" }],
  ["accurate (landmarks refined)", { preset: "accurate" }],
], limit);
