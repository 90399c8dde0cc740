"""Is the anchor as fast as facenet-pytorch itself? Runs facenet-pytorch's own MTCNN (from a
checkout of timesler/facenet-pytorch given on the command line; it cannot be installed here, and
nothing of it is in this project) and bench/torch_mtcnn.py in one process, taking turns image by
image and run by run (who goes first alternates), and prints one JSON line per image: median wall
and CPU ms of each, ours / theirs, their face counts and the largest box difference.

  /usr/bin/python3 bench/torch_mtcnn_vs_facenet.py FACENET_DIR [FILE...] [--threads 1]
      [--runs 7] [--warmup 2]

FACENET_DIR holds facenet-pytorch's `models/` and `data/*.pt` (its package `__init__` needs
tqdm, so `models.mtcnn` is imported directly). FILEs default to ../shared/data/bench/*.jpg.
"""
import json
import os
import statistics
import sys
import time

import torch_mtcnn as anchor


def main(argv):
    args = list(argv)
    threads = anchor.option(args, "--threads", 1)
    runs, warmup = anchor.option(args, "--runs", 7), anchor.option(args, "--warmup", 2)
    if not args or not os.path.isfile(os.path.join(args[0], "models", "mtcnn.py")):
        anchor.usage("FACENET_DIR (a facenet-pytorch checkout with models/mtcnn.py) first")
    sys.path.insert(0, args[0])
    from models.mtcnn import MTCNN  # facenet-pytorch's own, from the checkout
    anchor.torch.set_num_threads(threads)
    files = args[1:] or [os.path.join(anchor.SHARED, "bench", f) for f in (
        "astronaut_512x512.jpg", "group_640x480.jpg", "group_1280x720.jpg",
        "group_1920x1080.jpg")]
    theirs = MTCNN(keep_all=True)
    ours = anchor.build_nets(os.path.join(anchor.SHARED, "mtcnn_lz4_weights"))
    runners = {"facenet": lambda im: theirs.detect(im, landmarks=True),
               "anchor": lambda im: anchor.detect_batch(ours, [im])}
    images = [anchor.open_rgb(f) for f in files]
    times = [{k: ([], []) for k in runners} for _ in files]
    for r in range(warmup + runs):
        for k, im in enumerate(images):
            for name in (list(runners) if r % 2 else list(runners)[::-1]):
                w0, c0 = time.perf_counter(), time.process_time()
                runners[name](im)
                if r >= warmup:
                    times[k][name][0].append((time.perf_counter() - w0) * 1000)
                    times[k][name][1].append((time.process_time() - c0) * 1000)
    for k, (f, im) in enumerate(zip(files, images)):
        boxes = runners["facenet"](im)[0]
        boxes = [] if boxes is None else [list(map(float, b)) for b in boxes]
        faces = runners["anchor"](im)[0]
        diff = max((min(max(abs(a - b) for a, b in zip(t, o["box"])) for o in faces)
                    for t in boxes), default=0.0) if faces else float(len(boxes) > 0)
        med = {n: [statistics.median(v) for v in times[k][n]] for n in runners}
        anchor.emit({"mode": "vs_facenet", "image": f, "threads": threads, "runs": runs,
                     "facenet_ms": round(med["facenet"][0], 1),
                     "anchor_ms": round(med["anchor"][0], 1),
                     "facenet_cpu_ms": round(med["facenet"][1], 1),
                     "anchor_cpu_ms": round(med["anchor"][1], 1),
                     "ratio_ms": round(med["anchor"][0] / med["facenet"][0], 3),
                     "ratio_cpu": round(med["anchor"][1] / med["facenet"][1], 3),
                     "facenet_faces": len(boxes), "anchor_faces": len(faces),
                     "box_diff_max": round(diff, 6), "load": anchor.load_average(),
                     "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default")})


if __name__ == "__main__":
    main(sys.argv[1:])
