#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Every figure `scanwatch graph --print` shows, against what tshark counts in the same captures
(tests/tshark_oracle.sh: "key DAY KEY KIND ACCESSES SOURCES MIRAI ZMAP MASSCAN" lines), summed
over the chart's days. Prints "PASS what" or "FAIL what: why" per check, for TAP.

  chart_check.py PRINT FROM TO POINT=ORACLE... [--days POINT=N...] [--top N] [--all]

PRINT is graph's output, FROM and TO the days the per-day charts draw, each POINT=ORACLE the
oracle's lines of a point's captures. --days gives a point's days with a daily summary in the
window, for the per point-day mean. The charts PRINT has are checked; --all: every chart of the
catalogue must be there. No GeoIP database: every source is in area ??.
"""
import re
import sys

fails = 0
CATALOGUE = ["points-accesses", "points-sources", "keys-accesses", "keys-sources",
             "areas-accesses", "areas-sources", "keys-share-accesses", "keys-share-sources",
             "areas-share-accesses", "areas-share-sources", "kinds-accesses", "kinds-sources",
             "fingerprints"]
drawn = None  # the charts PRINT has: the others are not checked


def check(what, got, want):
    global fails
    chart = what.split()[0].rstrip(":")
    if drawn is not None and chart in CATALOGUE and chart not in drawn:
        return
    if got == want:
        print(f"PASS {what} ({got})")
    else:
        fails += 1
        print(f"FAIL {what}: got {got!r}, expected {want!r}")


def per_day(v, n):
    return (2 * v + n) // (2 * n)


def load_oracle(path, d0, d1):
    """(key, kind) -> [accesses, sources, mirai, zmap, masscan] over days [d0, d1]."""
    out = {}
    for line in open(path):
        f = line.split()
        if not f or f[0] != "key" or not d0 <= f[1] <= d1:
            continue
        v = out.setdefault((f[2], f[3]), [0] * 5)
        for i in range(5):
            v[i] += int(f[4 + i])
    return out


def main():
    args = sys.argv[1:]
    prints, d0, d1 = args[0], args[1], args[2]
    oracles, days, top, want_all = {}, {}, 10, False
    i = 3
    while i < len(args):
        if args[i] == "--all":
            want_all = True
            i += 1
            continue
        if args[i] == "--days":
            i += 1
            while i < len(args) and not args[i].startswith("--"):
                p, n = args[i].split("=")
                days[p] = int(n)
                i += 1
            continue
        if args[i] == "--top":
            top = int(args[i + 1])
            i += 2
            continue
        p, path = args[i].split("=", 1)
        oracles[p] = load_oracle(path, d0, d1)
        i += 1

    got = {}
    for line in open(prints):
        m = re.match(r"^(\S+) (.+)=(.*)$", line.rstrip("\n"))
        if m:
            got.setdefault(m.group(1), []).append((m.group(2), m.group(3)))

    global drawn
    if want_all:
        check("every chart printed its figures",
              [c for c in CATALOGUE if c not in got] +
              ([] if any(c.startswith("key-") for c in got) else ["key"]), [])
    drawn = set(got)

    allk = {}
    for o in oracles.values():
        for k, v in o.items():
            t = allk.setdefault(k, [0] * 5)
            for j in range(5):
                t[j] += v[j]
    acc = sum(v[0] for v in allk.values())
    src = sum(v[1] for v in allk.values())
    nan = [f"{c} {lbl}" for c, figs in got.items() for lbl, v in figs if "nan" in v]
    check("no figure prints nan", nan, [])

    def fig(chart, label):
        for lbl, v in got.get(chart, []):
            if lbl == label:
                return v
        return None

    def n(v):
        return int(v) if v is not None and re.fullmatch(r"\d+", v) else v

    # Each point, all points, and TALOT2's per point per day.
    for measure, idx in (("accesses", 0), ("sources", 1)):
        chart = f"points-{measure}"
        for p, o in oracles.items():
            check(f"{chart} {p} = tshark's", n(fig(chart, p)), sum(v[idx] for v in o.values()))
        total = acc if idx == 0 else src
        check(f"{chart} all = tshark's", n(fig(chart, "all")), total)
        if days:
            check(f"{chart} per point-day = {total} / {sum(days.values())} point-days",
                  n(fig(chart, "per-point-day")), per_day(total, sum(days.values())))

    # Stacks: keys (their kinds together) in the order tshark's counts rank them.
    for measure, idx in (("accesses", 0), ("sources", 1)):
        total = acc if idx == 0 else src
        merged = {}
        for (k, _), v in allk.items():
            merged[k] = merged.get(k, 0) + v[idx]
        for chart in (f"keys-{measure}", f"keys-share-{measure}"):
            figs = got.get(chart, [])
            labels = [lbl for lbl, _ in figs if lbl not in ("other", "total")]
            values = sorted((v for k, v in merged.items() if v), reverse=True)[:top]
            check(f"{chart}: the top {top} keys by tshark's count",
                  sorted(merged.get(k, 0) for k in labels)[::-1], values)
            check(f"{chart}: stacked biggest first",
                  [merged.get(k, 0) for k in labels], sorted((merged.get(k, 0) for k in labels),
                                                            reverse=True))
            rest = total - sum(merged.get(k, 0) for k in labels)
            if chart.startswith("keys-share"):
                for k in labels + ["other"]:
                    v = merged.get(k, 0) if k != "other" else rest
                    check(f"{chart} {k}: share = tshark's", fig(chart, k),
                          f"{100.0 * v / total:.4f}" if total else "no data")
            else:
                for k in labels:
                    check(f"{chart} {k} = tshark's", n(fig(chart, k)), merged[k])
                check(f"{chart} other = tshark's total less the keys drawn", n(fig(chart, "other")),
                      rest)
            check(f"{chart} total = tshark's", n(fig(chart, "total")), total)
        # No country database: one area, ??, is everything.
        for chart in (f"areas-{measure}", f"areas-share-{measure}"):
            want = str(total) if "share" not in chart else "100.0000"
            check(f"{chart} ?? = everything (no country database)", fig(chart, "??"), want)
            check(f"{chart} total = tshark's", n(fig(chart, "total")), total)
        for kind in ("scan", "backscatter", "other"):
            check(f"kinds-{measure} {kind} = tshark's", n(fig(f"kinds-{measure}", kind)),
                  sum(v[idx] for (k, kd), v in allk.items() if kd == kind))

    scans = sum(v[0] for (k, kd), v in allk.items() if kd == "scan")
    check("fingerprints scan = tshark's scans", n(fig("fingerprints", "scan")), scans)
    for j, name in enumerate(("mirai", "zmap", "masscan")):
        v = sum(x[2 + j] for x in allk.values())
        check(f"fingerprints {name} = tshark's", n(fig("fingerprints", name)), v)
        check(f"fingerprints {name} share of scans", fig("fingerprints", f"{name}-share"),
              f"{100.0 * v / scans:.4f}" if scans else "no data")

    # The key chart: the window's top key, in its largest kind, per point.
    for chart, figs in got.items():
        m = re.match(r"^key-(.+)-([A-Za-z0-9_-]+)$", chart)
        if not m or m.group(2) not in oracles:
            continue
        for lbl, v in figs:
            if lbl == "failures":
                continue
            o = oracles[m.group(2)]
            kinds = sorted(((x[0], kd) for (k, kd), x in o.items() if k == lbl), reverse=True)
            kind = kinds[0][1] if kinds else "scan"
            check(f"{chart} {lbl} ({kind}) = tshark's", n(v), o.get((lbl, kind), [0])[0])
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
