#!/usr/bin/python3
"""FAISS binary-code peer for the Aknn.Perf harness.

Reads the harness's TEXMEX files (.bvecs codes and queries, a ragged .ivecs of true neighbours),
runs the same workload on FAISS's binary indexes with one thread, and prints one line per result:

    RESULT system=<faiss-flat|faiss-multihash> workload=<name> n=<N> dim=<bits> key=value ...

Run it with Debian's interpreter, /usr/bin/python3, which has python3-faiss and python3-numpy.
Modes:
    scan     IndexBinaryFlat range search over every code, one query per call and then all queries
             in one call; codes_per_s is codes compared per second: N over the median time of one
             query (one per call), queries x N over the median time of the call (all in one)
    hamming  IndexBinaryFlat and IndexBinaryMultiHash range search, one query per call: latency
             percentiles, recall against the harness's ground truth, build time

FAISS's binary range_search keeps distances strictly below its threshold, so a radius R is passed
as R + 1.
"""

import argparse
import sys
import time

import numpy as np

import faiss

from peer_output import median, result


def read_bvecs(path):
    """Codes of a .bvecs file (int32 byte count, then the bytes) as a contiguous (n, bytes) uint8 array."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size < 4:
        raise ValueError(f"{path} is empty")
    width = int(raw[:4].view(np.int32)[0])
    if width <= 0 or raw.size % (width + 4) != 0:
        raise ValueError(f"{path} is not a whole number of {width}-byte rows")
    rows = raw.reshape(-1, width + 4)
    if not np.all(rows[:, :4].copy().view(np.int32)[:, 0] == width):
        raise ValueError(f"{path} has rows of differing lengths")
    return np.ascontiguousarray(rows[:, 4:])


def read_ragged_ivecs(path):
    """Rows of an .ivecs file whose rows may differ in length, as a list of int64 arrays."""
    raw = np.fromfile(path, dtype=np.int32)
    rows, at = [], 0
    while at < raw.size:
        length = int(raw[at])
        rows.append(raw[at + 1 : at + 1 + length].astype(np.int64))
        at += 1 + length
    return rows


def flat_index(xb):
    index = faiss.IndexBinaryFlat(xb.shape[1] * 8)
    index.add(xb)
    return index


def run_scan(args):
    xb = read_bvecs(args.codes)
    xq = read_bvecs(args.queries)[: args.scans]
    n, bits = xb.shape[0], xb.shape[1] * 8
    index = flat_index(xb)
    threshold = args.radius + 1
    queries = [xq[i : i + 1] for i in range(xq.shape[0])]
    for q in queries[: args.warmup]:
        index.range_search(q, threshold)
    clock = time.perf_counter
    per_query, many_rates, found = [], [], 0
    for r in range(args.rounds):
        for q in queries:
            t = clock()
            lims, _, _ = index.range_search(q, threshold)
            per_query.append((clock() - t) * 1000)
            if r == 0:
                found += int(lims[-1])
        t = clock()
        index.range_search(xq, threshold)
        many_rates.append(len(queries) * n / (clock() - t))
    common = dict(bits=bits, radius=args.radius, scans=len(queries), rounds=args.rounds, threads=faiss.omp_get_max_threads())
    single = n / (median(per_query) / 1000)
    result("faiss-flat", "scan", n, bits, form="single", **common, codes_per_s=single, best_codes_per_s=n / (min(per_query) / 1000),
           scan_ms=median(per_query), gbps=single * xb.shape[1] / 1e9, matches=found, faiss=faiss.__version__)
    result("faiss-flat", "scan", n, bits, form="many", **common, codes_per_s=median(many_rates), best_codes_per_s=max(many_rates),
           gbps=median(many_rates) * xb.shape[1] / 1e9, faiss=faiss.__version__)


def recall_of(found, truth):
    """Found true neighbours over all true neighbours, summed over the queries."""
    hits = total = 0
    for got, want in zip(found, truth):
        total += len(want)
        hits += len(np.intersect1d(got, want, assume_unique=True))
    return hits / total if total else float("nan")


def time_queries(index, xq, threshold, warmup):
    queries = [xq[i : i + 1] for i in range(xq.shape[0])]
    for q in queries[:warmup]:
        index.range_search(q, threshold)
    clock = time.perf_counter
    latency = np.empty(len(queries))
    found = []
    start = clock()
    for i, q in enumerate(queries):
        t = clock()
        lims, _, labels = index.range_search(q, threshold)
        latency[i] = (clock() - t) * 1000
        found.append(np.unique(labels[lims[0] : lims[1]]))
    qps = len(queries) / (clock() - start)
    return latency, qps, found


def run_hamming(args):
    xb = read_bvecs(args.codes)
    xq = read_bvecs(args.queries)
    truth = read_ragged_ivecs(args.truth)
    if len(truth) != xq.shape[0]:
        raise ValueError(f"{args.truth} has {len(truth)} rows for {xq.shape[0]} queries")
    n, bits = xb.shape[0], xb.shape[1] * 8
    threshold = args.radius + 1
    true_count = sum(len(t) for t in truth)
    clock = time.perf_counter

    systems = [("faiss-flat", lambda: faiss.IndexBinaryFlat(bits), {})]
    if not args.skip_multihash:
        def multihash():
            index = faiss.IndexBinaryMultiHash(bits, args.nhash, args.b)
            index.nflip = args.nflip
            return index

        systems.append(("faiss-multihash", multihash, dict(nhash=args.nhash, b=args.b, nflip=args.nflip)))

    for system, make, params in systems:
        t = clock()
        index = make()
        for at in range(0, n, args.batch):
            index.add(xb[at : at + args.batch])
        build_s = clock() - t
        latency, qps, found = time_queries(index, xq, threshold, args.warmup)
        result(system, "hamming", n, bits, bits=bits, radius=args.radius, queries=xq.shape[0], threads=faiss.omp_get_max_threads(),
               **params, p50_ms=float(np.percentile(latency, 50)), p99_ms=float(np.percentile(latency, 99)), qps=qps,
               recall=recall_of(found, truth), true_neighbours=true_count, found=sum(len(f) for f in found),
               build_s=build_s, faiss=faiss.__version__)
        del index


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["scan", "hamming"])
    parser.add_argument("--codes", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--truth")
    parser.add_argument("--radius", type=int, default=8)
    parser.add_argument("--scans", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100000)
    parser.add_argument("--nhash", type=int, default=3)
    parser.add_argument("--b", type=int, default=21)
    parser.add_argument("--nflip", type=int, default=2)
    parser.add_argument("--skip-multihash", action="store_true")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    if args.mode == "scan":
        run_scan(args)
    else:
        run_hamming(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
