/**
 * The default cascade as separate stages, for the benches that time it stage by stage
 * (`detect_stages.ts`, `detect_profile.ts`): the embedded weights on this thread's backend.
 *
 * @module
 */
import { crop, load, localNets, output, propose, pyramid, refine } from "../stages.ts";
import { resolveOptions } from "../pipelines/options.ts";
import { stageParams } from "../pipelines/cascade.ts";
import { loadDefaultWeights } from "../weights.ts";

/** A stage seen from a bench: each takes the state the one before it returns. */
export type AnyStage = (
  s: unknown,
) => Promise<{ _tag: "Left"; left: { message: string } } | { _tag: "Right"; right: unknown }>;

/** The default cascade's stages by name, and `dispose` for their nets. */
export const defaultStages = async (): Promise<
  { stages: [string, AnyStage][]; dispose: () => void }
> => {
  const w = await loadDefaultWeights();
  if (w._tag === "Left") throw new Error(w.left.message);
  const nets = localNets(w.right);
  if (nets._tag === "Left") throw new Error(nets.left.message);
  const o = resolveOptions({});
  if (o._tag === "Left") throw new Error(o.left.message);
  const p = stageParams(o.right);
  const n = nets.right;
  const as = (stage: unknown) => stage as AnyStage;
  return {
    stages: [
      ["prepare", as(load())],
      ["pyramid", as(pyramid(p.pyramid))],
      ["pnet", as(propose(n.pnet, p.propose))],
      ["crop24", as(crop(24, p.crop))],
      ["rnet", as(refine(n.rnet, p.refine))],
      ["crop48", as(crop(48, p.crop))],
      ["onet", as(output(n.onet, p.output))],
    ],
    dispose: () => n.dispose(),
  };
};
