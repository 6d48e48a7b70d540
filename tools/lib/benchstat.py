# SPDX-License-Identifier: GPL-2.0-only
"""How `make bench` tells a figure from noise: the repeats of a figure agree when their range is
at most AGREE (20 %) of their median; a ratio is quoted only when every figure it is made of
agrees, otherwise the table says how far apart the repeats were. Imported by tools/bench.sh,
tools/bench_veth.sh and tools/bench_replay.sh."""
import statistics

AGREE = 0.20


def median(values):
    return statistics.median(values)


def spread(values):
    """(max - min) / median of a figure's repeats: 0.12 is 12 %; None without two repeats."""
    values = list(values)
    if len(values) < 2:
        return None
    m = statistics.median(values)
    if m == 0:
        return 0.0 if max(values) == min(values) else float("inf")
    return (max(values) - min(values)) / abs(m)


def agrees(values):
    s = spread(values)
    return s is not None and s <= AGREE


def figure(values):
    """The record bench.json keeps of a figure: its median, every repeat, the spread."""
    values = list(values)
    return {"median": median(values), "repeats": values, "spread": spread(values),
            "agrees": agrees(values)}


def pct(s):
    return "n/a" if s is None else ("%.0f %%" % (100 * s) if s != float("inf") else "inf")


def ratio_cell(ratio, parts, fmt="%.2fx"):
    """The table's ratio: quoted when every figure of `parts` (records of figure()) agrees,
    else which did not and by how much."""
    bad = [(name, f) for name, f in parts if not f["agrees"]]
    if bad:
        return "unstable: " + ", ".join("%s spread %s" % (n, pct(f["spread"])) for n, f in bad)
    return fmt % ratio
