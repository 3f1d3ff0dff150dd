#!/usr/bin/python3
"""hnswlib peer for the Aknn.Perf harness's lsh workload.

Reads the harness's TEXMEX files (.fvecs base and queries, .ivecs ground truth), builds an HNSW
graph with Debian's python3-hnswlib (M=16, efConstruction=200, by default with 2 threads, timed),
then searches one query per call on one thread for each ef of a sweep and prints one line each:

    RESULT system=hnswlib workload=lsh n=<N> dim=<D> config=M16-efc200-ef<ef> recall=... qps=... vectors_per_s=...

Run it with Debian's interpreter, /usr/bin/python3 (the python3 first on PATH lacks hnswlib).
The built graph is saved next to the data (--cache) with its build time, and reused by later runs
unless --rebuild is given: building 1M vectors takes minutes on two cores. A reused build reports
the build time measured when it was made, with build_cached=1.
"""

import argparse
import json
import os
import sys
import time

try:
    import numpy as np

    import hnswlib
except ImportError as missing:
    sys.stderr.write(
        f"{missing.name} is not installed for {sys.executable}: apt-get install -y python3-hnswlib python3-numpy "
        "(Debian's packages are for /usr/bin/python3; run this script with that interpreter)\n"
    )
    sys.exit(3)

import peer_data
import peer_output

SYSTEM = "hnswlib"


def version():
    try:
        from importlib.metadata import version as v

        return v("hnswlib")
    except Exception:  # the Debian package may carry no metadata
        return "unknown"


def build(xb, args):
    """The graph, its build time in seconds and whether it came from the cache."""
    n, dim = xb.shape
    meta_path = args.cache + ".json" if args.cache else None
    if args.cache and not args.rebuild and os.path.exists(args.cache) and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        wanted = dict(n=n, dim=dim, space=args.space, M=args.M, ef_construction=args.ef_construction, threads=args.build_threads)
        # Graphs cached before --space existed are l2 graphs.
        if all(meta.get(key, "l2" if key == "space" else None) == value for key, value in wanted.items()):
            index = hnswlib.Index(space=args.space, dim=dim)
            index.load_index(args.cache, max_elements=n)
            return index, float(meta["build_s"]), True
    index = hnswlib.Index(space=args.space, dim=dim)
    start = time.perf_counter()
    index.init_index(max_elements=n, ef_construction=args.ef_construction, M=args.M, random_seed=args.seed)
    index.add_items(xb, np.arange(n), num_threads=args.build_threads)
    build_s = time.perf_counter() - start
    if args.cache:
        index.save_index(args.cache + ".tmp")
        os.replace(args.cache + ".tmp", args.cache)
        with open(meta_path, "w") as f:
            json.dump(
                dict(n=n, dim=dim, space=args.space, M=args.M, ef_construction=args.ef_construction, threads=args.build_threads,
                     build_s=build_s, built=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
                f,
            )
    return index, build_s, False


def run_lsh(args):
    xb, xq, truth = peer_data.load(args.base, args.queries, args.truth, args.k)
    n, dim = xb.shape
    index, build_s, cached = build(xb, args)
    index.set_num_threads(1)
    # Peak resident memory of the search phase, as the aknn side reports it: the kernel's
    # high-water mark is set back to the current size once the graph is built or loaded.
    peak_scope = "search" if reset_peak() else "process"
    for ef in (int(e) for e in args.efs.split(",")):
        index.set_ef(max(ef, args.k))

        def search(q):
            labels, _ = index.knn_query(q, k=args.k, num_threads=1)
            return labels[0]

        found, latency, qps = peer_data.timed_queries(search, xq, args.k, args.warmup)
        peer_output.result(
            SYSTEM,
            "lsh",
            n,
            dim,
            config=f"M{args.M}-efc{args.ef_construction}-ef{ef}",
            ef=ef,
            space=args.space,
            M=args.M,
            ef_construction=args.ef_construction,
            k=args.k,
            queries=len(found),
            threads=1,
            **peer_data.quality(found, truth, xb, xq, latency, qps),
            vectors_per_s=n / build_s,
            build_s=build_s,
            build_threads=args.build_threads,
            build_cached=int(cached),
            hnswlib=version(),
            loadavg=os.getloadavg()[0],
            peak_rss_mb=peak_rss_mb(),
            peak_rss_scope=peak_scope,
        )


def reset_peak():
    """Sets this process's peak resident size back to the current one (Linux); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb():
    """Peak resident memory in MiB: VmHWM from /proc/self/status, else getrusage's maximum."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["lsh"])
    parser.add_argument("--base", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--truth", required=True)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--M", type=int, default=16)
    parser.add_argument("--space", choices=["l2", "cosine"], default="l2", help="hnswlib's distance (cosine for the normalised data)")
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--efs", default="10,16,24,32,48,64,96,128,200")
    parser.add_argument("--build-threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--cache", help="file to keep the built graph in (and PATH.json its build time)")
    parser.add_argument("--rebuild", action="store_true", help="build even when --cache holds a matching graph")
    args = parser.parse_args()
    run_lsh(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
