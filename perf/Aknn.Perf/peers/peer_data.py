"""Input shared by the approximate-search peers: TEXMEX files, recall@k and timed one-query loops."""

import time

import numpy as np

# Relative slack under which a returned row ties with the k-th true neighbour (as GroundTruth.TieTolerance).
TIE_TOLERANCE = 1e-5


def read_vecs(path, dtype):
    """Rows of a .fvecs (float32) or .ivecs (int32) file as a contiguous (rows, dim) array."""
    raw = np.fromfile(path, dtype=np.int32)
    if raw.size == 0:
        raise ValueError(f"{path} is empty or missing")
    dim = int(raw[0])
    if raw.size % (dim + 1) != 0:
        raise ValueError(f"{path} is not a whole number of {dim}-value rows")
    rows = raw.reshape(-1, dim + 1)
    if not np.all(rows[:, 0] == dim):
        raise ValueError(f"{path} has rows of differing lengths")
    return np.ascontiguousarray(rows[:, 1:]).view(dtype)


def load(base, queries, truth, k):
    """The base vectors, the queries and each query's k true neighbours, checked against each other."""
    xb = read_vecs(base, np.float32)
    xq = read_vecs(queries, np.float32)
    gt = read_vecs(truth, np.int32)
    if xq.shape[1] != xb.shape[1]:
        raise ValueError(f"{queries} has {xq.shape[1]} dimensions, {base} has {xb.shape[1]}")
    if gt.shape[0] != xq.shape[0] or gt.shape[1] < k:
        raise ValueError(f"{truth} holds {gt.shape[0]} x {gt.shape[1]} neighbours; want {xq.shape[0]} x {k}")
    return xb, xq, np.ascontiguousarray(gt[:, :k])


def recall(found, truth, xb, xq, tie_aware):
    """Mean recall@k over the queries.

    Strict: the share of the first k distinct returned rows that are among the k true ones. Tie-aware:
    a returned row also counts when its exact distance equals the k-th true distance (relative slack
    TIE_TOLERANCE), as the harness counts it.
    """
    k = truth.shape[1]
    total = 0.0
    for i in range(found.shape[0]):
        want = set(truth[i].tolist())
        q = xq[i].astype(np.float64)
        kth = None
        good = 0
        for row in list(dict.fromkeys(int(r) for r in found[i] if r >= 0))[:k]:
            if row in want:
                good += 1
            elif tie_aware:
                if kth is None:
                    kth = float(np.sum((xb[truth[i, -1]].astype(np.float64) - q) ** 2))
                if float(np.sum((xb[row].astype(np.float64) - q) ** 2)) <= kth * (1 + TIE_TOLERANCE):
                    good += 1
        total += good / k
    return total / found.shape[0]


def timed_queries(search, xq, k, warmup):
    """Runs search(one_row_query) once per query after `warmup` untimed calls.

    search returns the row numbers it found for one (1, dim) query. Returns the found rows
    (queries, k; -1 where fewer came back), per-query latencies in ms, and queries per second over
    the whole timed loop.
    """
    rows = [xq[i : i + 1] for i in range(xq.shape[0])]
    for i in range(warmup):
        search(rows[i % len(rows)])
    found = np.full((len(rows), k), -1, dtype=np.int64)
    latency = np.empty(len(rows))
    clock = time.perf_counter
    start = clock()
    for i, q in enumerate(rows):
        t = clock()
        labels = search(q)
        latency[i] = (clock() - t) * 1000
        m = min(k, len(labels))
        found[i, :m] = labels[:m]
    qps = len(rows) / (clock() - start)
    return found, latency, qps


def quality(found, truth, xb, xq, latency, qps):
    """The fields every approximate peer reports for one setting: recall (tie-aware and strict), latency percentiles, QPS."""
    return {
        "recall": recall(found, truth, xb, xq, tie_aware=True),
        "recall_strict": recall(found, truth, xb, xq, tie_aware=False),
        "p50_ms": float(np.percentile(latency, 50)),
        "p99_ms": float(np.percentile(latency, 99)),
        "qps": qps,
    }
