/**
 * Speed of the presets on `../shared/data/wider_val_416/images` (200 images, 416x416): ms per
 * image (decode excluded), one thread, wasm backend, after a warm-up.
 *
 *   deno run -A bench/preset_speed.ts
 */
import { timeSettings } from "./_settings_speed.ts";

const presets = ["default", "accurate"] as const;
await timeSettings("preset", presets.map((preset) => [preset, { preset }] as const));
