/**
 * The stage types carry the order: each `@ts-expect-error` below is a cascade that must not
 * compile (`deno test` type-checks this file, so if one of them compiled, the unused directive
 * would fail the check). The last case is the correct order and must compile.
 */
import { assertEquals } from "./_assert.ts";
import {
  type CandidateState,
  cascade,
  crop,
  faceAndLandmarks,
  type ImageState,
  load,
  type Nets,
  output,
  propose,
  pyramid,
  refine,
  refineLandmarks,
  type Stage,
} from "../stages.ts";

const wrongOrders = (n: Nets) => {
  // @ts-expect-error RNet needs 24x24 crops: crop(24) is missing.
  cascade(pyramid(), propose(n.pnet), refine(n.rnet));
  // @ts-expect-error PNet needs the pyramid before it, not the loaded image.
  cascade(load(), propose(n.pnet), crop(24), refine(n.rnet));
  // @ts-expect-error a detector's stages start from the loaded image: here PNet lacks a pyramid.
  const detectorStages: Stage<ImageState, CandidateState> = cascade(propose(n.pnet));
  // @ts-expect-error ONet needs 48x48 crops, not 24x24 ones.
  cascade(pyramid(), propose(n.pnet), crop(24), output(n.onet));
  // @ts-expect-error RNet needs 24x24 crops, not 48x48 ones.
  cascade(pyramid(), propose(n.pnet), crop(48), refine(n.rnet));
  // @ts-expect-error a crop stage needs candidates: a pyramid has none yet.
  cascade(pyramid(), crop(24));
  // @ts-expect-error the ONet runner is not RNet.
  cascade(pyramid(), propose(n.pnet), crop(24), refine(n.onet));
  // @ts-expect-error load takes an image input, not a pyramid.
  cascade(pyramid(), load());
  // The right order compiles, with the landmark stage after it.
  return [
    detectorStages,
    cascade(
      load(),
      pyramid(),
      propose(n.pnet),
      crop(24),
      refine(n.rnet),
      crop(48),
      output(n.onet),
      refineLandmarks(n.onet),
    ),
  ];
};

Deno.test("cascades in a wrong order do not compile; the right one does", () => {
  assertEquals(typeof wrongOrders, "function");
  assertEquals(typeof faceAndLandmarks, "function");
});
