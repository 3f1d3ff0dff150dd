#!/usr/bin/python3
"""FAISS IndexLSH peer for the Aknn.Perf harness's lsh workload.

Reads the harness's TEXMEX files (.fvecs base and queries, .ivecs ground truth) and, for each code
length of a sweep, builds faiss.IndexLSH (random rotation to nbits dimensions, then one bit per
dimension against a trained per-bit threshold), timed, and searches one query per call on one
thread. It prints one line per (nbits, refine) configuration:

    RESULT system=faiss-lsh workload=lsh n=<N> dim=<D> config=nbits256-refine10 recall=... qps=... vectors_per_s=...

Note that IndexLSH has no hash tables: every search computes the Hamming distance from the query's
code to every stored code (an exhaustive scan of n x nbits/8 bytes) and returns the k nearest
codes, so its cost grows linearly with n and its recall is that of ranking by Hamming distance.
refine=1 is that plain IndexLSH; refine=F wraps it in IndexRefineFlat, which re-ranks the k x F
nearest codes by their exact L2 distance (as LSH candidates are re-ranked).

Run it with Debian's interpreter, /usr/bin/python3, which has python3-faiss and python3-numpy.
"""

import argparse
import os
import sys
import time

try:
    import numpy as np

    import faiss
except ImportError as missing:
    sys.stderr.write(
        f"{missing.name} is not installed for {sys.executable}: apt-get install -y python3-faiss python3-numpy "
        "(Debian's packages are for /usr/bin/python3; run this script with that interpreter)\n"
    )
    sys.exit(3)

import peer_data
import peer_output

SYSTEM = "faiss-lsh"


def run_lsh(args):
    xb, xq, truth = peer_data.load(args.base, args.queries, args.truth, args.k)
    n, dim = xb.shape
    rng = np.random.default_rng(args.seed)
    train = xb if n <= args.train_rows else xb[np.sort(rng.choice(n, args.train_rows, replace=False))]
    for nbits in (int(b) for b in args.nbits.split(",")):
        # Build with the same number of threads as hnswlib's build; search with one.
        faiss.omp_set_num_threads(args.build_threads)
        start = time.perf_counter()
        # rotate_data: a random rotation (to nbits dimensions, which may exceed dim) before taking
        # signs; train_thresholds: each bit's threshold is the median of the training set's values
        # rather than 0, so that the bits split the (uncentred, clustered) data evenly.
        lsh = faiss.IndexLSH(dim, nbits, True, True)
        lsh.train(train)
        lsh.add(xb)
        build_s = time.perf_counter() - start
        faiss.omp_set_num_threads(1)
        refined = None
        for refine in (int(f) for f in args.refine.split(",")):
            if refine <= 1:
                index = lsh
            else:
                if refined is None:
                    # Keeps a copy of the vectors for the exact re-ranking (not part of the timed build).
                    refined = faiss.IndexRefineFlat(lsh, faiss.swig_ptr(xb))
                refined.k_factor = float(refine)
                index = refined

            def search(q):
                _, labels = index.search(q, args.k)
                return labels[0]

            found, latency, qps = peer_data.timed_queries(search, xq, args.k, args.warmup)
            peer_output.result(
                SYSTEM,
                "lsh",
                n,
                dim,
                config=f"nbits{nbits}-refine{max(refine, 1)}",
                nbits=nbits,
                refine=max(refine, 1),
                k=args.k,
                queries=len(found),
                threads=1,
                **peer_data.quality(found, truth, xb, xq, latency, qps),
                vectors_per_s=n / build_s,
                build_s=build_s,
                build_threads=args.build_threads,
                # Exact distances computed per query (as CandidatesExamined), and codes compared.
                candidates=args.k * refine if refine > 1 else 0,
                codes_scanned=n,
                faiss=faiss.__version__,
                loadavg=os.getloadavg()[0],
            )
        del refined, lsh


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["lsh"])
    parser.add_argument("--base", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--truth", required=True)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--nbits", default="64,128,256,512")
    parser.add_argument("--refine", default="1,10,100", help="k_factor of IndexRefineFlat; 1 for plain IndexLSH")
    parser.add_argument("--train-rows", type=int, default=100_000)
    parser.add_argument("--build-threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    run_lsh(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
