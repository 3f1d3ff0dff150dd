#!/usr/bin/python3
"""Plots recall@10 against queries per second from the lsh workload's result files.

    /usr/bin/python3 perf/plot_lsh.py [RESULTS.csv ...] [--out docs/lsh-recall-qps.png]

Without file arguments it reads perf/data/results/lsh-n1000000-d25-s42.csv and
lsh-n200000-d128-s42.csv and lsh-unit-n200000-d768-s42.csv (the issues' sizes; unit = the cosine set) where they exist, else every lsh-*.csv there.
One panel per file: hnswlib's ef sweep, the Pareto front of FAISS IndexLSH's (bits, re-ranking)
configurations, and for aknn the Pareto front of each model over its candidate and probe settings
(all aknn settings as faint dots). QPS is on a log scale; the dashed line marks the target recall
0.9; points below recall 0.5 are off the left edge. Runs that only checked the pipeline (family=exact or search=exact) are left out.

Needs matplotlib for Debian's interpreter: apt-get install -y python3-matplotlib
"""

import argparse
import csv
import glob
import os
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.stderr.write(f"matplotlib is not installed for {sys.executable}: apt-get install -y python3-matplotlib\n")
    sys.exit(3)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "perf", "data", "results")
DEFAULT_FILES = ["lsh-n1000000-d25-s42.csv", "lsh-n200000-d128-s42.csv", "lsh-unit-n200000-d768-s42.csv"]
TARGET_RECALL = 0.9
# hnswlib is blue and FAISS grey; the aknn models take these in turn.
AKNN_COLOURS = ["tab:red", "tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan"]


def number(row, key):
    try:
        return float(row.get(key, ""))
    except ValueError:
        return None


def points(rows):
    """(recall, qps, config) of rows that have both, sorted by recall."""
    out = []
    for r in rows:
        recall, qps = number(r, "recall"), number(r, "qps")
        if recall is not None and qps is not None and qps > 0:
            out.append((recall, qps, r.get("config", "")))
    return sorted(out)


def front(pts):
    """The Pareto front (no other point has both higher recall and higher QPS), by recall."""
    kept, best = [], 0.0
    for p in sorted(pts, key=lambda p: (-p[0], -p[1])):
        if p[1] > best:
            kept.append(p)
            best = p[1]
    return kept[::-1]


def median_per_config(pts):
    """One (recall, median QPS, config) per config, by recall: the rounds of one setting collapsed."""
    by_config = {}
    for recall, qps, config in pts:
        by_config.setdefault(config, []).append((recall, qps))
    out = []
    for config, values in by_config.items():
        qps = sorted(v[1] for v in values)
        middle = len(qps) // 2
        median = qps[middle] if len(qps) % 2 else (qps[middle - 1] + qps[middle]) / 2
        out.append((values[0][0], median, config))
    return sorted(out)


def model_of(config):
    """aknn's model name: the config (MODEL-c<candidates>-p<probes>) without its last two parts."""
    return config.rsplit("-", 2)[0]


def panel(ax, path):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("workload") == "lsh"]
    if not rows:
        ax.set_title(f"{os.path.basename(path)}: no rows")
        return
    n, dim = int(rows[0]["n"]), int(rows[0]["dim"])
    lowest = 1.0

    # hnswlib runs once per round: every round's point as a faint dot, the line through each ef's median.
    hnsw_all = points(r for r in rows if r["system"] == "hnswlib")
    hnsw = median_per_config(hnsw_all)
    if hnsw:
        ax.plot([p[0] for p in hnsw_all], [p[1] for p in hnsw_all], "o", color="tab:blue", alpha=0.25, markersize=3)
        ax.plot([p[0] for p in hnsw], [p[1] for p in hnsw], "o-", color="tab:blue", label="hnswlib M=16, efC=200 (ef swept; median of rounds)")
        for p in hnsw:
            ax.annotate(p[2].rsplit("-", 1)[-1], (p[0], p[1]), fontsize=6, color="tab:blue", xytext=(3, 3), textcoords="offset points")
        lowest = min(lowest, hnsw[0][0])

    faiss = front(points(r for r in rows if r["system"] == "faiss-lsh"))
    if faiss:
        ax.plot([p[0] for p in faiss], [p[1] for p in faiss], "s--", color="tab:gray", label="FAISS IndexLSH (front over bits, re-rank)")
        for p in faiss:
            ax.annotate(p[2], (p[0], p[1]), fontsize=6, color="tab:gray", xytext=(3, -8), textcoords="offset points")
        lowest = min(lowest, faiss[0][0])

    aknn_rows = [r for r in rows if r["system"] == "aknn" and r.get("family") != "exact" and r.get("search") != "exact"]
    models = sorted({model_of(r.get("config", "")) for r in aknn_rows})
    for i, model in enumerate(models):
        pts = points(r for r in aknn_rows if model_of(r.get("config", "")) == model)
        colour = AKNN_COLOURS[i % len(AKNN_COLOURS)]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], ".", color=colour, alpha=0.3)
        best = front(pts)
        ax.plot([p[0] for p in best], [p[1] for p in best], "^-", color=colour, label=f"aknn {model}")
        if pts:
            lowest = min(lowest, pts[0][0])

    if not models:
        ax.text(0.98, 0.97, "aknn: not measured yet", transform=ax.transAxes, ha="right", va="top", fontsize=8, color="tab:red")

    ax.axvline(TARGET_RECALL, color="black", linestyle=":", linewidth=1)
    # Below recall 0.5 (plain IndexLSH) nothing is comparable; such points fall off the left edge.
    ax.set_xlim(max(0.5, min(lowest, TARGET_RECALL) - 0.02), 1.005)
    ax.set_yscale("log")
    ax.set_xlabel("recall@10")
    ax.set_ylabel("queries per second (one thread, one query per call)")
    ax.set_title(f"{n:,} x {dim}".replace(",", " "))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "lsh-recall-qps.png"))
    args = parser.parse_args()
    files = args.files
    if not files:
        files = [os.path.join(RESULTS, f) for f in DEFAULT_FILES if os.path.exists(os.path.join(RESULTS, f))]
        files = files or sorted(glob.glob(os.path.join(RESULTS, "lsh-*.csv")))
    if not files:
        sys.stderr.write(f"no result files in {RESULTS}: run the lsh workload first\n")
        return 2
    fig, axes = plt.subplots(1, len(files), figsize=(6.5 * len(files), 5), squeeze=False)
    for ax, path in zip(axes[0], files):
        panel(ax, path)
    fig.suptitle("Approximate k-NN: recall@10 against QPS (Aknn.Perf lsh workload)")
    fig.tight_layout()
    fig.savefig(args.out, dpi=100, metadata={"Software": None})
    print(f"wrote {args.out} from {', '.join(os.path.relpath(f, ROOT) for f in files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
