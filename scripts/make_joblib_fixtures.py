#!/usr/bin/python3
"""Makes the joblib and LZ4 fixtures in fixtures/joblib/ and fixtures/lz4/ with real Python
joblib and python-lz4, so the readers are tested on files Python wrote even where Python is
absent. Every value comes from a formula the tests recompute (no numpy RNG), and
expected.json in each folder lists the files and what they hold.

    apt-get install -y python3-joblib python3-lz4 python3-numpy
    /usr/bin/python3 scripts/make_joblib_fixtures.py
"""
import hashlib
import json
import os

import joblib
import lz4
import lz4.frame
import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def value(k, i):
    """Element i (C order) of array k: a multiple of 1/64 in [-15.6, 15.6], exact in float32."""
    return ((k * 7919 + i * 104729) % 2001 - 1000) / 64.0


def make(k, shape, dtype="<f4", order="C"):
    n = int(np.prod(shape)) if len(shape) else 1
    a = np.array([value(k, i) for i in range(n)], dtype=np.float64).reshape(shape)
    a = a.astype(dtype)
    # (np.ascontiguousarray would make a 0-d array 1-d.)
    return np.asfortranarray(a) if order == "F" else a.copy(order="C")


# (shape, dtype, order): float32 and float64, C and F order, both byte orders, 0-d and empty.
MIXED = [
    ((2, 3), "<f4", "C"),
    ((3,), "<f8", "C"),
    ((2, 3, 4), "<f4", "F"),
    ((4,), ">f4", "C"),
    ((3, 2), ">f8", "F"),
    ((1, 1, 3), "<f4", "C"),
    ((0,), "<f4", "C"),
    ((), "<f4", "C"),
]

PNET = [(3, 3, 3, 10), (10,), (1, 1, 10), (3, 3, 10, 16), (16,), (1, 1, 16), (3, 3, 16, 32),
        (32,), (1, 1, 32), (1, 1, 32, 4), (4,), (1, 1, 32, 2), (2,)]


def joblib_fixtures():
    out = os.path.join(ROOT, "joblib")
    os.makedirs(out, exist_ok=True)
    files = []
    mixed = [make(k, s, d, o) for k, (s, d, o) in enumerate(MIXED)]
    for protocol in (2, 3, 4, 5):
        for compress in (None, ("lz4", 3)):
            name = f"mixed_p{protocol}.{'lz4' if compress else 'pkl'}"
            path = os.path.join(out, name)
            joblib.dump(mixed, path, protocol=protocol, compress=compress or 0)
            back = joblib.load(path)
            # joblib >= 1.2 returns big-endian arrays in native byte order: compare values and sizes.
            assert all(np.array_equal(a, b) and a.dtype.itemsize == b.dtype.itemsize
                       for a, b in zip(mixed, back))
            assert back[2].flags.f_contiguous and not back[2].flags.c_contiguous
            files.append({"file": name, "protocol": protocol, "compressed": bool(compress),
                          "arrays": "mixed"})
    pnet = [make(k, s) for k, s in enumerate(PNET)]
    # As the Python mtcnn package saves: joblib.dump(weights, "pnet.lz4", compress=("lz4", 1)).
    joblib.dump(pnet, os.path.join(out, "pnet_random.lz4"), compress=("lz4", 1))
    files.append({"file": "pnet_random.lz4", "protocol": 4, "compressed": True, "arrays": "pnet"})
    # A plain joblib pickle in a frame with every checksum and the content size (joblib reads
    # any LZ4 frame by its magic bytes): the fuzz test's base, where damage is always detected.
    plain = os.path.join(out, "pnet_tmp.pkl")
    joblib.dump(pnet, plain, protocol=4)
    with open(plain, "rb") as f:
        raw = f.read()
    os.remove(plain)
    framed = lz4.frame.compress(raw, block_linked=True, block_checksum=True,
                                content_checksum=True, store_size=True)
    with open(os.path.join(out, "pnet_checksums.lz4"), "wb") as f:
        f.write(framed)
    back = joblib.load(os.path.join(out, "pnet_checksums.lz4"))
    assert all(np.array_equal(a, b) for a, b in zip(pnet, back))
    files.append({"file": "pnet_checksums.lz4", "protocol": 4, "compressed": True,
                  "arrays": "pnet"})
    expected = {
        "made_by": "scripts/make_joblib_fixtures.py",
        "versions": {"joblib": joblib.__version__, "lz4": lz4.__version__,
                     "numpy": np.__version__},
        "value": "element i (C order) of array k = ((k * 7919 + i * 104729) % 2001 - 1000) / 64",
        "mixed": [{"shape": list(s), "dtype": d, "order": o} for s, d, o in MIXED],
        "pnet": [list(s) for s in PNET],
        "files": files,
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def text_payload(n):
    """n bytes of lines that repeat with variations: compressible, with matches across blocks."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += f"line {i % 257} of the mtcnn lz4 test, value {(i * 7) % 1000}\n".encode()
        i += 1
    return bytes(out[:n])


def noise_payload(n, seed=2463534242):
    """n bytes of xorshift32 noise (incompressible): forces stored blocks."""
    x = seed
    out = bytearray(n)
    for i in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x & 0xFF
    return bytes(out)


def lz4_fixtures():
    out = os.path.join(ROOT, "lz4")
    os.makedirs(out, exist_ok=True)
    text = text_payload(70_000)
    # One whole 64 KiB block of noise is stored as it is; the text after it is compressed.
    mixed = noise_payload(65_536) + text[:20_000]
    f = lz4.frame
    variants = [
        ("text_linked_64k.lz4", "text", dict()),
        ("text_independent_checksums_size.lz4", "text",
         dict(block_linked=False, block_checksum=True, content_checksum=True, store_size=True)),
        ("text_256k_content_checksum.lz4", "text",
         dict(block_size=f.BLOCKSIZE_MAX256KB, content_checksum=True)),
        ("text_1m_hc.lz4", "text",
         dict(block_size=f.BLOCKSIZE_MAX1MB, compression_level=f.COMPRESSIONLEVEL_MINHC)),
        ("text_4m_size.lz4", "text", dict(block_size=f.BLOCKSIZE_MAX4MB, store_size=True)),
        ("mixed_stored_blocks.lz4", "mixed", dict(block_checksum=True)),
    ]
    files = []
    for name, payload, options in variants:
        data = text if payload == "text" else mixed
        packed = f.compress(data, **options)
        assert f.decompress(packed) == data
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(packed)
        files.append({"file": name, "payload": payload, "options": options})
    expected = {
        "made_by": "scripts/make_joblib_fixtures.py",
        "payloads": {
            "text": {"recipe": "text_payload(70000)", "sha256": hashlib.sha256(text).hexdigest()},
            "mixed": {"recipe": "noise_payload(65536) + text[:20000]",
                      "sha256": hashlib.sha256(mixed).hexdigest()},
        },
        "files": files,
    }
    with open(os.path.join(out, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    joblib_fixtures()
    lz4_fixtures()
    print("fixtures written to", os.path.normpath(ROOT))
