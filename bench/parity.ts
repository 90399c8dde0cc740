/**
 * Parity with facenet-pytorch: runs the default cascade with the reference's settings (min face
 * 20, factor 0.709, thresholds 0.6/0.7/0.7, boxes unclipped) on every image of
 * `../shared/data/reference/facenet_pytorch.json` and prints the agreement figures.
 *
 *   deno run -A bench/parity.ts [--crop-padding clamp|zeros] [--backend wasm|cpu]
 */
import { type CropPadding, type Face, useBackend } from "../mod.ts";
import { type ParityReport, parityReport, type PlainFace } from "../eval.ts";
import { makeDetector, sharedData } from "../tests/_shared.ts";

interface RefFile {
  images: Record<string, { faces: { box: number[]; score: number; landmarks: number[][] }[] }>;
}

const plain = (f: Face): PlainFace => ({
  box: f.box,
  score: f.confidence,
  landmarks: f.keypoints ? Object.values(f.keypoints) : undefined,
});

/** Runs the comparison; returns the report and the per-image disagreements. */
export const runParity = async (
  cropPadding: CropPadding = "clamp",
): Promise<{ report: ParityReport; disagreements: string[] }> => {
  const ref = JSON.parse(
    await Deno.readTextFile(sharedData("reference/facenet_pytorch.json")),
  ) as RefFile;
  const d = await makeDetector({ boxFormat: "xyxy", clip: false, cropPadding });
  const pairs: [PlainFace[], PlainFace[]][] = [];
  const disagreements: string[] = [];
  try {
    for (const [name, v] of Object.entries(ref.images)) {
      const r = await d.detect(sharedData(name));
      if (r._tag === "Left") throw new Error(r.left.message);
      const ours = r.right.faces.map(plain);
      const theirs = v.faces.map((f) => ({
        box: f.box as unknown as PlainFace["box"],
        score: f.score,
        landmarks: f.landmarks as unknown as PlainFace["landmarks"],
      }));
      pairs.push([ours, theirs]);
      const one = parityReport([[ours, theirs]]);
      if (one.refFound < 1 || one.oursInRef < 1) {
        disagreements.push(`${name}: ours ${ours.length}, reference ${theirs.length}`);
      }
    }
  } finally {
    d.dispose();
  }
  return { report: parityReport(pairs), disagreements };
};

if (import.meta.main) {
  const i = Deno.args.indexOf("--crop-padding");
  const b = Deno.args.indexOf("--backend");
  if (b >= 0) await useBackend(Deno.args[b + 1] as "wasm");
  const pad = (i >= 0 ? Deno.args[i + 1] : "clamp") as CropPadding;
  const { report } = await runParity(pad);
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  console.log(`crop padding: ${pad}, ${report.images} images`);
  console.log(`| figure | value |\n|---|---|`);
  console.log(`| reference faces / ours | ${report.refFaces} / ${report.ourFaces} |`);
  console.log(`| confident reference faces we find | ${pct(report.confidentRefFound)} |`);
  console.log(`| our confident faces in the reference | ${pct(report.confidentOursInRef)} |`);
  console.log(`| reference faces we find (all) | ${pct(report.refFound)} |`);
  console.log(`| our faces in the reference (all) | ${pct(report.oursInRef)} |`);
  console.log(`| mean landmark distance / box width | ${pct(report.landmarkError)} |`);
  console.log(`| mean confidence difference | ${report.scoreDiff.toFixed(4)} |`);
  console.log(`| mean IoU of matched faces | ${report.meanIou.toFixed(3)} |`);
}
