#!/usr/bin/python3
"""FAISS peer for the Aknn.Perf harness.

Reads the harness's TEXMEX files (.fvecs base and queries, .ivecs ground truth), runs the same
workload on FAISS's exact IndexFlatL2 with one thread, and prints one line per result:

    RESULT system=faiss-flat workload=<name> n=<N> dim=<D> key=value ...

Run it with Debian's interpreter, /usr/bin/python3, which has python3-faiss and python3-numpy.
Modes:
    exact   one query per search call, K nearest, latency percentiles, QPS and recall
    insert  add the base vectors in batches, write the index file and fsync it
    open    read_index of a flat index file (written first when missing), then one search
"""

import argparse
import os
import sys
import time

import numpy as np

import faiss

import peer_output
from peer_data import read_vecs, recall
from peer_output import median

SYSTEM = "faiss-flat"


def result(workload, n, dim, **fields):
    peer_output.result(SYSTEM, workload, n, dim, **fields)


def flat_index(xb):
    index = faiss.IndexFlatL2(xb.shape[1])
    index.add(xb)
    return index


def run_exact(args):
    xb = read_vecs(args.base, np.float32)
    xq = read_vecs(args.queries, np.float32)
    truth = read_vecs(args.truth, np.int32)[:, : args.k]
    n, dim = xb.shape
    index = flat_index(xb)
    queries = [xq[i : i + 1] for i in range(xq.shape[0])]
    for i in range(args.warmup):
        index.search(queries[i % len(queries)], args.k)
    p50, p99, qps = [], [], []
    found = np.empty((len(queries), args.k), dtype=np.int64)
    clock = time.perf_counter
    for r in range(args.rounds):
        latency = np.empty(len(queries))
        start = clock()
        for i, q in enumerate(queries):
            t = clock()
            _, labels = index.search(q, args.k)
            latency[i] = (clock() - t) * 1000
            if r == 0:
                found[i] = labels[0]
        qps.append(len(queries) / (clock() - start))
        p50.append(np.percentile(latency, 50))
        p99.append(np.percentile(latency, 99))
    fields = dict(
        k=args.k,
        queries=len(queries),
        rounds=args.rounds,
        threads=faiss.omp_get_max_threads(),
        p50_ms=median(p50),
        p99_ms=median(p99),
        qps=median(qps),
        recall=recall(found, truth, xb, xq, tie_aware=True),
        recall_strict=recall(found, truth, xb, xq, tie_aware=False),
    )
    if args.read_floor_ms:
        fields["ratio_to_read"] = median(p50) / args.read_floor_ms
    fields["faiss"] = faiss.__version__
    result("exact", n, dim, **fields)


def write_durably(index, path):
    faiss.write_index(index, path)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    folder = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def run_insert(args):
    xb = read_vecs(args.base, np.float32)
    n, dim = xb.shape
    clock = time.perf_counter
    start = clock()
    index = faiss.IndexFlatL2(dim)
    for at in range(0, n, args.batch):
        index.add(xb[at : at + args.batch])
    added = clock()
    write_durably(index, args.out)
    end = clock()
    ms = (end - start) * 1000
    size = os.path.getsize(args.out)
    fields = dict(
        config="add+write_index+fsync",
        batch=args.batch,
        vectors_per_s=n / (end - start),
        ms=ms,
        add_ms=(added - start) * 1000,
        write_ms=(end - added) * 1000,
        write_mbps=size / 1e6 / (end - start),
    )
    if args.disk_mbps:
        fields["ratio_to_disk"] = size / 1e6 / (end - start) / args.disk_mbps
    fields["bytes_per_vector"] = size / n
    result("insert", n, dim, **fields)


def drop_cache(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def run_open(args):
    xq = read_vecs(args.queries, np.float32)[:1]
    if not os.path.exists(args.index):
        xb = read_vecs(args.base, np.float32)
        write_durably(flat_index(xb), args.index + ".tmp")
        os.replace(args.index + ".tmp", args.index)
        del xb
    clock = time.perf_counter
    faiss.read_index(args.index).search(xq, 10)  # untimed first call
    open_ms, search_ms = [], []
    n = dim = 0
    for _ in range(args.runs):
        t = clock()
        index = faiss.read_index(args.index)
        n, dim = index.ntotal, index.d
        open_ms.append((clock() - t) * 1000)
        t = clock()
        index.search(xq, 10)
        search_ms.append((clock() - t) * 1000)
        del index
    cold_ms = []
    for _ in range(3):
        drop_cache(args.index)
        t = clock()
        index = faiss.read_index(args.index)
        cold_ms.append((clock() - t) * 1000)
        del index
    result(
        "open",
        n,
        dim,
        ms=median(open_ms),
        min_ms=min(open_ms),
        max_ms=max(open_ms),
        reopens=args.runs,
        first_search_ms=median(search_ms),
        cold_ms=median(cold_ms),
        index_bytes=os.path.getsize(args.index),
        note="read_index_loads_whole_file",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["exact", "insert", "open"])
    parser.add_argument("--base", required=True)
    parser.add_argument("--queries")
    parser.add_argument("--truth")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--read-floor-ms", type=float, default=0.0)
    parser.add_argument("--batch", type=int, default=10000)
    parser.add_argument("--out")
    parser.add_argument("--disk-mbps", type=float, default=0.0)
    parser.add_argument("--index")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    if args.mode == "exact":
        run_exact(args)
    elif args.mode == "insert":
        run_insert(args)
    else:
        run_open(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
