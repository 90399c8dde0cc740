/**
 * A precision-recall plot as a self-contained SVG document.
 *
 * @module
 */

/** One curve of the plot. */
export interface PrCurve {
  /** Legend label, e.g. `"easy"`. */
  readonly label: string;
  /** Average precision, shown in the legend. */
  readonly ap: number;
  /** Precision per threshold (NaN points are skipped). */
  readonly precision: readonly number[];
  /** Recall per threshold, same length as `precision`. */
  readonly recall: readonly number[];
}

/** Options of {@linkcode prPlotSvg}. */
export interface PrPlotOptions {
  /** Title above the plot. Default `"Precision-recall"`. */
  readonly title?: string;
  /** Width in pixels. Default 560. */
  readonly width?: number;
  /** Height in pixels. Default 440. */
  readonly height?: number;
}

const COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"];

const escapeXml = (s: string): string =>
  s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);

/**
 * Draws precision (y) against recall (x), both on [0, 1], one line per curve, with a legend
 * giving each curve's AP.
 *
 * @example
 * ```ts
 * import { prPlotSvg } from "@mtcnn/mtcnn/eval";
 * const svg = prPlotSvg([{ label: "easy", ap: 0.5, precision: [1, 0.5], recall: [0.25, 0.5] }]);
 * console.log(svg.startsWith("<svg")); // true
 * ```
 */
export const prPlotSvg = (curves: readonly PrCurve[], options: PrPlotOptions = {}): string => {
  const { title = "Precision-recall", width = 560, height = 440 } = options;
  const left = 56, right = 16, top = 36, bottom = 48;
  const pw = width - left - right, ph = height - top - bottom;
  const px = (r: number) => (left + r * pw).toFixed(1);
  const py = (p: number) => (top + (1 - p) * ph).toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (let i = 0; i <= 10; i++) {
    const v = i / 10;
    parts.push(
      `<line x1="${px(v)}" y1="${py(0)}" x2="${px(v)}" y2="${py(1)}" stroke="#e5e5e5"/>`,
      `<line x1="${px(0)}" y1="${py(v)}" x2="${px(1)}" y2="${py(v)}" stroke="#e5e5e5"/>`,
      `<text x="${px(v)}" y="${+py(0) + 16}" text-anchor="middle">${v.toFixed(1)}</text>`,
      `<text x="${left - 6}" y="${+py(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`,
    `<text x="${left + pw / 2}" y="${height - 10}" text-anchor="middle">recall</text>`,
    `<text transform="translate(16 ${
      top + ph / 2
    }) rotate(-90)" text-anchor="middle">precision</text>`,
  );
  curves.forEach((c, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = c.recall
      .map((r, k) => [r, c.precision[k]])
      .filter(([r, p]) => Number.isFinite(r) && Number.isFinite(p))
      .map(([r, p]) => `${px(r)},${py(p)}`);
    if (points.length > 0) {
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(" ")}"/>`,
      );
    }
    // Bottom left: the corner a precision-recall curve never reaches.
    const ly = top + ph - 12 - (curves.length - 1 - i) * 18;
    const ap = Number.isFinite(c.ap) ? c.ap.toFixed(3) : "n/a";
    parts.push(
      `<line x1="${left + 12}" y1="${ly - 4}" x2="${left + 36}" y2="${
        ly - 4
      }" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${left + 42}" y="${ly}">${escapeXml(c.label)} (AP ${ap})</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
};
