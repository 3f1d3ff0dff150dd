"""Output shared by the FAISS peers: RESULT lines formatted like the Aknn.Perf harness's."""

import numpy as np


def fmt(value):
    """Four significant digits at most, like the harness."""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, str):
        return value
    a = abs(value)
    if a >= 1000:
        return f"{value:.0f}"
    if a >= 100:
        return f"{value:.1f}"
    if a >= 10:
        return f"{value:.2f}"
    if a >= 1:
        return f"{value:.3f}"
    if a == 0:
        return "0"
    if a >= 0.001:
        return f"{value:.4g}"
    return f"{value:.3e}"


def result(system, workload, n, dim, **fields):
    """Prints one RESULT line: system, workload, n and dim, then the fields in order."""
    parts = [f"RESULT system={system} workload={workload} n={n} dim={dim}"]
    parts += [f"{k}={fmt(v)}" for k, v in fields.items()]
    print(" ".join(parts), flush=True)


def median(values):
    return float(np.percentile(np.asarray(values, dtype=np.float64), 50))
