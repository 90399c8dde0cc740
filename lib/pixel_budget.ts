/**
 * A budget of pixels in flight: images wait their turn, in the order they asked, until the
 * images already admitted leave room. An image alone is always admitted, however large.
 *
 * @module
 */

/** Admission of images by their pixel count. */
export interface PixelBudget {
  /** Resolves when `pixels` fit (at once when nothing is admitted); call `leave` after. */
  enter(pixels: number): Promise<void>;
  /** Gives back what `enter(pixels)` took. */
  leave(pixels: number): void;
}

/**
 * A budget of `limit` pixels, first come first served.
 *
 * @example
 * ```ts
 * import { pixelBudget } from "./pixel_budget.ts";
 * const budget = pixelBudget(100);
 * await budget.enter(80);
 * const second = budget.enter(80).then(() => console.log("second admitted"));
 * budget.leave(80); // logs "second admitted" once the first left
 * await second;
 * ```
 */
export const pixelBudget = (limit: number): PixelBudget => {
  let used = 0;
  let admitted = 0;
  const waiting: { pixels: number; go: () => void }[] = [];
  const admit = () => {
    while (waiting.length > 0 && (admitted === 0 || used + waiting[0].pixels <= limit)) {
      const w = waiting.shift() as { pixels: number; go: () => void };
      used += w.pixels;
      admitted++;
      w.go();
    }
  };
  return {
    enter: (pixels) =>
      new Promise<void>((go) => {
        waiting.push({ pixels, go });
        admit();
      }),
    leave: (pixels) => {
      used -= pixels;
      admitted--;
      admit();
    },
  };
};
