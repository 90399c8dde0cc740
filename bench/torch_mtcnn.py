"""The PyTorch detection anchor: MTCNN in PyTorch, following facenet-pytorch's detection pipeline
(timesler/facenet-pytorch 787da06, models/utils/detect_face.py) step by step, with the pretrained
weights of ../shared/data/mtcnn_lz4_weights. It stands in for facenet-pytorch, which cannot be
installed here, so that our detection is compared with PyTorch in the same run on the same host.
It is our reimplementation, not facenet-pytorch itself: `validate` measures how faithful it is.

Needs Debian's python3-torch (in /usr/bin/python3, not the pyenv python3), numpy, PIL and joblib;
python3-torchvision for the same NMS as facenet-pytorch (a numpy NMS is used without it, and every
line says which). Runs on the CPU in eval mode without gradients, 2 threads unless --threads.

Every command prints one JSON line per measurement on stdout (nothing else goes to stdout):

  python torch_mtcnn.py check
      {"mode":"check","torch":...,"nms":...} and exit 0, or {"mode":"check","missing":...} and
      exit 3 when torch (or numpy, PIL, joblib) cannot be imported.
  python torch_mtcnn.py time FILE... [--runs 21] [--warmup 3] [--threads 2]
      per file: median wall and CPU ms of one detection (decode excluded), after --warmup rounds;
      the files take turns (round r detects every file once), so load changes hit all alike.
  python torch_mtcnn.py throughput PATH... [--batch 32] [--limit N] [--threads 2]
      decode (PIL) and detect the images (files, or every image of a directory sorted by name)
      in batches of up to 32 consecutive images of one size (facenet-pytorch's batched detect
      takes only equal sizes): one line with images/s over the loop and over the whole process
      (interpreter start, imports and weights included), CPU s, peak RSS. `--batch 1` is
      facenet-pytorch called once per image.
  python torch_mtcnn.py detect PATH... [--batch 1]
      the faces of each image (or each image of a directory): box x1 y1 x2 y2, score, landmarks.
  python torch_mtcnn.py validate [--reference FILE] [--data DIR] [--iou 0.9] [--batch 1]
      detect every image of facenet-pytorch's reference outputs (one at a time, or consecutive
      images of one size in batches, as `throughput` does) and compare: per
      image set, the share of reference faces we match at IoU >= 0.9 (one to one) and of ours
      matched, and the largest / mean differences of scores, boxes and landmarks of the matches.

Options: --threads N (torch.set_num_threads; default 2), --weights DIR (the .lz4 files),
--nms numpy (our numpy NMS even where torchvision is installed, to check the fallback).
"""
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data"))
MISSING_EXIT = 3

# facenet-pytorch's MTCNN defaults (models/mtcnn.py): minimum face 20 px, thresholds of the three
# stages, pyramid factor 0.709 (the MTCNN paper's).
MIN_FACE = 20
THRESHOLDS = (0.6, 0.7, 0.7)
FACTOR = 0.709
# NMS thresholds of facenet-pytorch's detect_face: within a scale, across scales, after RNet
# (all IoU), after ONet (intersection over the smaller box).
NMS_SCALE, NMS_ALL, NMS_RNET, NMS_ONET = 0.5, 0.7, 0.7, 0.7
# RNet and ONet see their crops in chunks of this many (facenet-pytorch's fixed_batch_process).
NET_CHUNK = 512


def emit(record):
    print(json.dumps(record), flush=True)


def usage(message):
    """A usage error: one line on stderr, exit 2."""
    print(f"torch_mtcnn.py: {message} (see the top of bench/torch_mtcnn.py)", file=sys.stderr)
    sys.exit(2)


def option(args, name, default):
    """The value after `--name` in args (removed from args), or default."""
    if name in args:
        at = args.index(name)
        if at + 1 >= len(args):
            usage(f"{name} needs a value")
        value = args[at + 1]
        del args[at:at + 2]
        try:
            return type(default)(value)
        except ValueError:
            usage(f"{name} {value}: not a {type(default).__name__}")
    return default


def load_average():
    return [round(x, 2) for x in os.getloadavg()]


def process_seconds():
    """Wall seconds since this process started (/proc), so imports and weights count too."""
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


try:
    import joblib
    import numpy as np
    import torch
    from PIL import Image
    from torch import nn
    from torch.nn import functional as F
except ImportError as err:
    if __name__ == "__main__":
        emit({"mode": "check", "missing": f"{err} (this needs Debian's python3-torch, "
              "python3-numpy, python3-pil and python3-joblib in /usr/bin/python3)"})
        sys.exit(MISSING_EXIT)
    raise

try:
    from torchvision.ops import batched_nms as tv_batched_nms
    NMS_NAME = "torchvision"
except ImportError:
    tv_batched_nms = None
    NMS_NAME = "numpy"


# ---- the three nets, from the .lz4 weight lists ------------------------------------------------

def _conv(w, b):
    """A Conv2d from an HWIO kernel (the .lz4 layout) and its bias; PyTorch wants OIHW."""
    layer = nn.Conv2d(w.shape[2], w.shape[3], kernel_size=(w.shape[0], w.shape[1]))
    layer.weight.data = torch.from_numpy(np.ascontiguousarray(w.transpose(3, 2, 0, 1)))
    layer.bias.data = torch.from_numpy(np.ascontiguousarray(b))
    return layer


def _dense(w, b):
    """A Linear from an [in, out] kernel; PyTorch wants [out, in]."""
    layer = nn.Linear(w.shape[0], w.shape[1])
    layer.weight.data = torch.from_numpy(np.ascontiguousarray(w.T))
    layer.bias.data = torch.from_numpy(np.ascontiguousarray(b))
    return layer


def _prelu(alpha):
    """A PReLU with one slope per channel ((1,1,C) or (C,) in the .lz4 files)."""
    layer = nn.PReLU(alpha.size)
    layer.weight.data = torch.from_numpy(np.ascontiguousarray(alpha.reshape(-1)))
    return layer


class Net(nn.Module):
    """A trunk of conv / PReLU / max-pool layers, an optional dense layer on the flattened map,
    and linear heads. Heads come out in the .lz4 order (bbox, [landmarks,] class); the class head
    goes through a softmax over its two channels."""

    def __init__(self, trunk, dense, heads):
        super().__init__()
        self.trunk, self.dense, self.heads = trunk, dense, nn.ModuleList(heads)

    def forward(self, x):
        x = self.trunk(x)
        if self.dense is not None:
            # The published dense kernels expect the map in (width, height, channel) order.
            x = self.dense(x.permute(0, 3, 2, 1).reshape(x.shape[0], -1))
        out = [head(x) for head in self.heads]
        out[-1] = torch.softmax(out[-1], dim=1)
        return out


def build_nets(weights_dir):
    """PNet, RNet and ONet (networks.md's layouts) in eval mode, from pnet/rnet/onet.lz4."""
    def take(name):
        return iter(joblib.load(os.path.join(weights_dir, f"{name}.lz4")))

    def pool(size):
        # Caffe's pooling rounds the output size up: ceil_mode.
        return nn.MaxPool2d(size, 2, ceil_mode=True)

    def block(ws):
        return [_conv(next(ws), next(ws)), _prelu(next(ws))]

    def dense_block(ws):
        return nn.Sequential(_dense(next(ws), next(ws)), _prelu(next(ws)))

    ws = take("pnet")
    pnet = Net(nn.Sequential(*block(ws), pool(2), *block(ws), *block(ws)), None,
               [_conv(next(ws), next(ws)), _conv(next(ws), next(ws))])
    ws = take("rnet")
    rnet = Net(nn.Sequential(*block(ws), pool(3), *block(ws), pool(3), *block(ws)),
               dense_block(ws), [_dense(next(ws), next(ws)), _dense(next(ws), next(ws))])
    ws = take("onet")
    onet = Net(nn.Sequential(*block(ws), pool(3), *block(ws), pool(3), *block(ws), pool(2),
                             *block(ws)),
               dense_block(ws), [_dense(next(ws), next(ws)) for _ in range(3)])
    for net in (pnet, rnet, onet):
        net.eval()
    return pnet, rnet, onet


# ---- pipeline steps (facenet-pytorch's detect_face, restated) ---------------------------------

def normalize(x):
    return (x - 127.5) * 0.0078125


def area_resize(x, size):
    """PyTorch's area interpolation (adaptive average pooling): facenet-pytorch's resampler."""
    return F.interpolate(x, size=size, mode="area")


def pyramid_scales(height, width, min_face=MIN_FACE, factor=FACTOR):
    """Scales 12/min_face * factor^k while the shorter side, scaled, is at least 12 px (the
    shorter side is multiplied step by step, as facenet-pytorch does)."""
    scale = 12.0 / min_face
    side = min(height, width) * scale
    scales = []
    while side >= 12:
        scales.append(scale)
        scale *= factor
        side *= factor
    return scales


def nms(boxes, scores, groups, threshold):
    """Greedy IoU NMS (no +1 in widths) within each group; indices kept, by descending score."""
    if tv_batched_nms is not None:
        return tv_batched_nms(boxes, scores, groups, threshold)
    keep = [at[_greedy(boxes[at].numpy(), scores[at].numpy(), threshold, False)]
            for at in _group_members(groups)]
    if not keep:
        return torch.zeros(0, dtype=torch.long)
    keep = torch.cat(keep)
    return keep[torch.sort(scores[keep], stable=True, descending=True)[1]]


def nms_min(boxes, scores, groups, threshold):
    """facenet-pytorch's last NMS (its own numpy one): overlap over the smaller area, +1 in
    widths and areas, within each image."""
    keep = [at[_greedy(boxes[at].numpy(), scores[at].numpy(), threshold, True)]
            for at in _group_members(groups)]
    return torch.cat(keep) if keep else torch.zeros(0, dtype=torch.long)


def _group_members(groups):
    return [(groups == g).nonzero().flatten() for g in groups.unique().tolist()]


def _greedy(b, s, threshold, over_min):
    """Indices of b kept by greedy NMS: the best remaining box suppresses overlaps > threshold.
    over_min: intersection over the smaller box with +1 pixel widths, equal scores in the order
    numpy's argsort leaves them, taken from its end (as facenet-pytorch's numpy NMS); else IoU
    without +1, equal scores in index order (torchvision's NMS sorts stably). Ties are real:
    boxes that truncate to the same crop get the same ONet score."""
    one = 1.0 if over_min else 0.0
    area = (b[:, 2] - b[:, 0] + one) * (b[:, 3] - b[:, 1] + one)
    order = np.argsort(s) if over_min else np.argsort(-s, kind="stable")[::-1]
    kept = []
    while order.size > 0:
        best, rest = order[-1], order[:-1]
        kept.append(best)
        iw = np.maximum(0.0, np.minimum(b[best, 2], b[rest, 2]) -
                        np.maximum(b[best, 0], b[rest, 0]) + one)
        ih = np.maximum(0.0, np.minimum(b[best, 3], b[rest, 3]) -
                        np.maximum(b[best, 1], b[rest, 1]) + one)
        inter = iw * ih
        denom = np.minimum(area[best], area[rest]) if over_min else area[best] + area[rest] - inter
        order = rest[inter / denom <= threshold]
    return torch.as_tensor(np.array(kept, dtype=np.int64))


def propose(pnet, images, threshold):
    """PNet over each pyramid level of the whole batch. Returns candidates (K x 9: x1 y1 x2 y2
    score dx1 dy1 dx2 dy2) and their image indices, after NMS within each scale and image (0.5)
    and across scales (0.7)."""
    n, _, h, w = images.shape
    found, owners = [], []
    for scale in pyramid_scales(h, w):
        level = normalize(area_resize(images, (int(h * scale + 1), int(w * scale + 1))))
        reg, prob = pnet(level)
        face = prob[:, 1]
        hit = face >= threshold
        cells = hit.nonzero()
        # A cell at (row, col) of the map sees the 12x12 window at (2 col, 2 row) of the level;
        # facenet-pytorch maps it back as floor((2 col + 1) / s) .. floor((2 col + 12) / s).
        xy = cells[:, 1:].to(reg.dtype).flip(1)
        cand = torch.cat([((2 * xy + 1) / scale).floor(), ((2 * xy + 12) / scale).floor(),
                          face[hit].unsqueeze(1), reg.permute(0, 2, 3, 1)[hit]], dim=1)
        keep = nms(cand[:, :4], cand[:, 4], cells[:, 0], NMS_SCALE)
        found.append(cand[keep])
        owners.append(cells[keep, 0])
    cand, owner = torch.cat(found), torch.cat(owners)
    keep = nms(cand[:, :4], cand[:, 4], owner, NMS_ALL)
    return cand[keep], owner[keep]


def regress(boxes, offsets, plus_one):
    """Moves each corner by its offset times the box's width / height (+1 pixel after PNet:
    facenet-pytorch's bbreg; without after PNet)."""
    one = 1 if plus_one else 0
    w = boxes[:, 2] - boxes[:, 0] + one
    h = boxes[:, 3] - boxes[:, 1] + one
    return torch.stack([boxes[:, 0] + offsets[:, 0] * w, boxes[:, 1] + offsets[:, 1] * h,
                        boxes[:, 2] + offsets[:, 2] * w, boxes[:, 3] + offsets[:, 3] * h], dim=1)


def square(boxes):
    """The square around each box's centre with the longer side."""
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    side = torch.max(w, h)
    x1 = boxes[:, 0] + w * 0.5 - side * 0.5
    y1 = boxes[:, 1] + h * 0.5 - side * 0.5
    return torch.stack([x1, y1, x1 + side, y1 + side], dim=1)


def crops(images, boxes, owner, size):
    """The part of each box inside its image (truncated to integers, clamped as 1-based pixels
    [max(x1, 1), min(x2, W)]), area-resized to size x size and normalized; boxes with nothing
    inside are dropped (mask returned). One box at a time, as facenet-pytorch does."""
    _, _, h, w = images.shape
    b = boxes.trunc().int().numpy()
    x1, y1 = np.maximum(b[:, 0], 1), np.maximum(b[:, 1], 1)
    x2, y2 = np.minimum(b[:, 2], w), np.minimum(b[:, 3], h)
    out, ok = [], []
    for k in range(len(b)):
        inside = bool(y2[k] > y1[k] - 1 and x2[k] > x1[k] - 1)
        ok.append(inside)
        if inside:
            part = images[owner[k], :, y1[k] - 1:y2[k], x1[k] - 1:x2[k]].unsqueeze(0)
            out.append(area_resize(part, (size, size)))
    x = torch.cat(out) if out else images.new_zeros((0, 3, size, size))
    return normalize(x), torch.tensor(ok, dtype=torch.bool)


def run_chunked(net, x):
    parts = [net(x[i:i + NET_CHUNK]) for i in range(0, max(1, len(x)), NET_CHUNK)]
    return [torch.cat(heads) for heads in zip(*parts)]


def refine(rnet, images, boxes, owner, threshold):
    """RNet: keep score > t2, NMS 0.7 (IoU), then regression (+1) and squaring."""
    x, ok = crops(images, boxes, owner, 24)
    boxes, owner = boxes[ok], owner[ok]
    reg, prob = run_chunked(rnet, x)
    score = prob[:, 1]
    hit = score > threshold
    boxes, owner, score, reg = boxes[hit], owner[hit], score[hit], reg[hit]
    keep = nms(boxes, score, owner, NMS_RNET)
    return square(regress(boxes[keep], reg[keep], True)), owner[keep]


def output(onet, images, boxes, owner, threshold):
    """ONet: keep score > t3; landmarks from the ONet input box; regression (+1); NMS 0.7 over
    the smaller box. Returns boxes, scores, landmarks (K x 5 x 2) and image indices."""
    x, ok = crops(images, boxes, owner, 48)
    boxes, owner = boxes[ok], owner[ok]
    reg, marks, prob = run_chunked(onet, x)
    score = prob[:, 1]
    hit = score > threshold
    boxes, owner, score, reg, marks = boxes[hit], owner[hit], score[hit], reg[hit], marks[hit]
    # Landmarks are fractions of the box with +1 widths, shifted by -1 (facenet-pytorch's
    # 1-based convention); the ONet head gives the 5 x values, then the 5 y values.
    w = (boxes[:, 2] - boxes[:, 0] + 1).unsqueeze(1)
    h = (boxes[:, 3] - boxes[:, 1] + 1).unsqueeze(1)
    points = torch.stack([w * marks[:, :5] + boxes[:, :1] - 1,
                          h * marks[:, 5:] + boxes[:, 1:2] - 1], dim=2)
    boxes = regress(boxes, reg, True)
    keep = nms_min(boxes, score, owner, NMS_ONET)
    return boxes[keep], score[keep], points[keep], owner[keep]


def detect_batch(nets, pil_images):
    """Faces of equally sized PIL images (RGB), one list per image: dicts with box [x1, y1, x2,
    y2], score and landmarks [[x, y] * 5], largest box first (facenet-pytorch's detect order)."""
    pnet, rnet, onet = nets
    with torch.no_grad():
        pixels = np.stack([np.asarray(im, dtype=np.uint8) for im in pil_images])
        images = torch.as_tensor(pixels).permute(0, 3, 1, 2).float()
        boxes, owner = propose(pnet, images, THRESHOLDS[0])
        if len(boxes):
            boxes = square(regress(boxes[:, :4], boxes[:, 5:9], False))
            boxes, owner = refine(rnet, images, boxes, owner, THRESHOLDS[1])
        if len(boxes):
            boxes, scores, points, owner = output(onet, images, boxes, owner, THRESHOLDS[2])
        else:
            scores, points = torch.zeros(0), torch.zeros(0, 5, 2)
    faces = [[] for _ in pil_images]
    for b, s, p, i in zip(boxes.tolist(), scores.tolist(), points.tolist(), owner.tolist()):
        faces[i].append({"box": b, "score": s, "landmarks": p})
    for per_image in faces:
        per_image.sort(key=lambda f: -(f["box"][2] - f["box"][0]) * (f["box"][3] - f["box"][1]))
    return faces


def open_rgb(path):
    """PIL decode to RGB, fully loaded (so decoding is not deferred into the detection)."""
    with Image.open(path) as im:
        return im.convert("RGB")


def image_files(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            out.extend(sorted(os.path.join(p, f) for f in os.listdir(p)
                              if f.lower().endswith((".jpg", ".jpeg", ".png"))))
        else:
            out.append(p)
    return out


def batches_of_one_size(files, size):
    """Consecutive files of one image size, at most `size` at a time (decoded as they come)."""
    group, shape = [], None
    for f in files:
        try:
            im = open_rgb(f)
        except (OSError, ValueError) as err:
            # A file PIL cannot read: say so on stderr and go on with the others.
            print(f"torch_mtcnn.py: {f}: {err}", file=sys.stderr)
            continue
        if group and (im.size != shape or len(group) == size):
            yield group
            group = []
        group.append((f, im))
        shape = im.size
    if group:
        yield group


# ---- commands ----------------------------------------------------------------------------------

def cmd_time(nets, args, base):
    runs, warmup = option(args, "--runs", 21), option(args, "--warmup", 3)
    if not args:
        usage("time FILE... [--runs N] [--warmup N]")
    decoded = [pair for group in batches_of_one_size(image_files(args), 1) for pair in group]
    files, images = [f for f, _ in decoded], [im for _, im in decoded]
    wall = [[] for _ in files]
    cpu = [[] for _ in files]
    faces = [0] * len(files)
    for r in range(warmup + runs):
        for k, im in enumerate(images):
            w0, c0 = time.perf_counter(), time.process_time()
            faces[k] = len(detect_batch(nets, [im])[0])
            if r >= warmup:
                wall[k].append((time.perf_counter() - w0) * 1000)
                cpu[k].append((time.process_time() - c0) * 1000)
    for k, f in enumerate(files):
        emit({**base, "mode": "time", "image": f, "width": images[k].size[0],
              "height": images[k].size[1], "runs": runs, "warmup": warmup,
              "ms": round(statistics.median(wall[k]), 2),
              "cpu_ms": round(statistics.median(cpu[k]), 2),
              "min_ms": round(min(wall[k]), 2), "faces": faces[k], "load": load_average()})


def cmd_throughput(nets, args, base):
    batch, limit = option(args, "--batch", 32), option(args, "--limit", 0)
    files = image_files(args)
    if not files or not all(os.path.exists(a) for a in args):
        usage("throughput PATH... [--batch 32] [--limit N]")
    files = files[:limit] if limit > 0 else files
    load0 = load_average()
    w0, c0 = time.perf_counter(), time.process_time()
    faces, done = 0, 0
    for group in batches_of_one_size(files, batch):
        faces += sum(len(f) for f in detect_batch(nets, [im for _, im in group]))
        done += len(group)
    seconds = time.perf_counter() - w0
    whole = process_seconds()
    emit({**base, "mode": "throughput", "paths": args, "images": done,
          "failed": len(files) - done, "batch": batch, "faces": faces, "seconds": round(seconds, 3),
          "images_per_s": round(done / seconds, 2),
          "cpu_seconds": round(time.process_time() - c0, 3),
          "process_seconds": round(whole, 3),
          "process_images_per_s": round(done / whole, 2),
          "peak_rss_mb": round(peak_rss_mb(), 1), "load_start": load0, "load": load_average()})


def cmd_detect(nets, args, base):
    batch = option(args, "--batch", 1)
    files = image_files(args)
    if not files:
        usage("detect PATH... [--batch N]")
    for group in batches_of_one_size(files, batch):
        for (f, im), faces in zip(group, detect_batch(nets, [im for _, im in group])):
            emit({**base, "mode": "faces", "image": f, "width": im.size[0],
                  "height": im.size[1], "faces": faces})


def iou(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match(ref, ours, at_least):
    """One-to-one pairs (reference index, our index), best IoU first, IoU >= at_least."""
    pairs = sorted(((iou(r["box"], o["box"]), i, j) for i, r in enumerate(ref)
                    for j, o in enumerate(ours)), reverse=True)
    used_r, used_o, out = set(), set(), []
    for v, i, j in pairs:
        if v < at_least:
            break
        if i not in used_r and j not in used_o:
            used_r.add(i)
            used_o.add(j)
            out.append((i, j))
    return out


def cmd_validate(nets, args, base):
    ref_path = option(args, "--reference", os.path.join(SHARED, "reference",
                                                        "facenet_pytorch.json"))
    data = option(args, "--data", SHARED)
    at_least = option(args, "--iou", 0.9)
    batch = option(args, "--batch", 1)
    with open(ref_path) as f:
        reference = json.load(f)["images"]
    found = {}
    for group in batches_of_one_size([os.path.join(data, n) for n in sorted(reference)], batch):
        for (path, _), faces in zip(group, detect_batch(nets, [im for _, im in group])):
            found[os.path.relpath(path, data)] = faces
    sets = {}
    for name in sorted(reference):
        ref, ours = reference[name]["faces"], found[name]
        s = sets.setdefault(name.split("/")[0], {"images": 0, "reference_faces": 0,
                                                 "our_faces": 0, "matched": 0, "identical": 0,
                                                 "score": [], "box": [], "landmark": []})
        s["images"] += 1
        s["reference_faces"] += len(ref)
        s["our_faces"] += len(ours)
        for i, j in match(ref, ours, at_least):
            r, o = ref[i], ours[j]
            s["matched"] += 1
            box = max(abs(a - b) for a, b in zip(r["box"], o["box"]))
            mark = max(abs(a - b) for p, q in zip(r["landmarks"], o["landmarks"])
                       for a, b in zip(p, q))
            s["score"].append(abs(r["score"] - o["score"]))
            s["box"].append(box)
            s["landmark"].append(mark)
            # The reference rounds boxes to 1e-3 px and scores to 1e-6.
            s["identical"] += box < 0.01 and mark < 0.01 and s["score"][-1] < 1e-5
    total = {"images": 0, "reference_faces": 0, "our_faces": 0, "matched": 0, "identical": 0,
             "score": [], "box": [], "landmark": []}
    for s in sets.values():
        for k, v in s.items():
            total[k] += v
    for name, s in [*sorted(sets.items()), ("all", total)]:
        emit({**base, "mode": "validate", "set": name, "iou": at_least, "batch": batch,
              "images": s["images"],
              "reference_faces": s["reference_faces"], "our_faces": s["our_faces"],
              "matched": s["matched"],
              "reference_matched": round(s["matched"] / max(1, s["reference_faces"]), 4),
              "ours_matched": round(s["matched"] / max(1, s["our_faces"]), 4),
              "identical": s["identical"],
              "score_diff_max": max(s["score"], default=0),
              "score_diff_mean": statistics.fmean(s["score"]) if s["score"] else 0,
              "box_diff_max": round(max(s["box"], default=0), 4),
              "landmark_diff_max": round(max(s["landmark"], default=0), 4)})


COMMANDS = {"time": cmd_time, "throughput": cmd_throughput, "detect": cmd_detect,
            "validate": cmd_validate}


def main(argv):
    args = list(argv)
    command = args.pop(0) if args else ""
    threads = option(args, "--threads", 2)
    weights = option(args, "--weights", os.path.join(SHARED, "mtcnn_lz4_weights"))
    global tv_batched_nms, NMS_NAME
    if option(args, "--nms", "") == "numpy":
        tv_batched_nms, NMS_NAME = None, "numpy"
    torch.set_num_threads(threads)
    # How idle OpenMP threads wait (libgomp spins by default): on a busy machine spinning makes
    # 2 threads several times slower than 1; OMP_WAIT_POLICY=PASSIVE avoids that. Say which ran.
    base = {"torch": torch.__version__, "nms": NMS_NAME, "threads": threads,
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default")}
    if command == "check":
        emit({**base, "mode": "check"})
        return
    if command not in COMMANDS:
        usage(f"unknown command {command!r}: check, time, throughput, detect or validate")
    if not os.path.isfile(os.path.join(weights, "pnet.lz4")):
        emit({**base, "mode": command, "missing": f"no pnet.lz4 in {weights}"})
        sys.exit(MISSING_EXIT)
    COMMANDS[command](build_nets(weights), args, base)


if __name__ == "__main__":
    main(sys.argv[1:])
