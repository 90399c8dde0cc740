/**
 * The photos shipped in `fixtures/faces/` (free to ship; see its LICENSES.md): real faces for
 * tests that must run in a fresh clone without `../shared`.
 */
import { fileURLToPath } from "node:url";

/** Absolute path of a photo in `fixtures/faces/`. */
export const facePhoto = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/faces/${name}`, import.meta.url));

/** One face; the Python `mtcnn` package's README gives its box as [277, 90, 48, 63]. */
export const IVAN: string = facePhoto("ivan.jpg");
/** One face (NASA's portrait of Eileen Collins). */
export const ASTRONAUT: string = facePhoto("astronaut_512x512.jpg");
/** Six faces (a crop of facenet-pytorch's multiface.jpg). */
export const GROUP: string = facePhoto("group_640x480.jpg");
