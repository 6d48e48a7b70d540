#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Expected figures of a history made by tools/mkhistory, computed from its SPEC alone, checked
against what scanwatch wrote. Prints one line per check, "PASS what" or "FAIL what: why", for
tests/t_report.sh to turn into TAP.

  report_check.py report SPEC MONTH REPORT.md   every headline number, ratio and table
  report_check.py alerts SPEC ALERTS.json       exactly the alerts the definitions give
  report_check.py commands SPEC DIR             the alert command's environments, one file each
  report_check.py points MONTH REPORT.md SPEC... per point and all points, point i = p<i+1>
  report_check.py legends REPORT.md             every chart's legend against the report's own
                                                tables, and the report reads as a report
  report_check.py colours REPORT.md             in the charts' SVG (report --svg), one colour per
                                                key and per area in every chart, none alike
  report_check.py sample REPORT.md MONTH ORACLE... a report of real captures against tshark's
                                                count of them (tests/tshark_oracle.sh lines)
  report_check.py peraddress REPORT.md EXPECT   Table 1-3 against lines "POINT WATCHED DAYS
                                                ACCESSES SOURCES" (or "POINT n/a"), in order

Definitions are README.md's ("Monthly report and alerts"), written again here from the SPEC's
hourly rates; nothing is read back from scanwatch except what is checked.
"""
import calendar
import datetime as dt
import ipaddress
import json
import math
import os
import re
import sys

KINDS = {"syn": "scan", "udp": "scan", "echo": "scan", "synack": "backscatter", "rst": "backscatter"}
DAY = dt.timedelta(days=1)
fails = 0


def check(what, got, want):
    global fails
    if got == want:
        print(f"PASS {what} ({got})")
    else:
        fails += 1
        print(f"FAIL {what}: got {got!r}, expected {want!r}")


def day(s):
    return dt.date.fromisoformat(s)


class Series:
    def __init__(self, line, lineno):
        f = line.split()
        self.frm, self.to = day(f[0]), day(f[1])
        self.type, self.port = f[2], int(f[3])
        self.pkts, self.srcs = int(f[4]), int(f[5])
        self.fixed = f[6] == "fixed"
        self.base = int(ipaddress.IPv4Address(f[7]))
        self.fp = f[8]
        self.area = f[9] if len(f) > 9 else "??"
        self.line = lineno
        self.kind = KINDS[self.type]
        self.key = "icmp/echo" if self.type == "echo" else \
            ("udp/%d" if self.type == "udp" else "tcp/%d") % self.port

    def active(self, d):
        return self.frm <= d <= self.to

    def source(self, hour, i):
        j = i % self.srcs
        return self.base + (j if self.fixed else hour * self.srcs + j)

    def packet_time_us(self, d, hour, i):
        """When packet i of the hour is sent (tools/mkhistory.c)."""
        epoch = (d - dt.date(1970, 1, 1)).days * 86400 + hour * 3600
        return epoch * 1000000 + (i + 1) * 3600000000 // (self.pkts + 1) + self.line


def load_spec(path):
    out = []
    for n, line in enumerate(open(path), 1):
        s = line.strip()
        if s and not s.startswith("#"):
            out.append(Series(s, n))
    return out


class Day:
    """One day's exact figures: per (key, kind), per area, fingerprints."""

    def __init__(self, spec, d):
        self.keys, self.areas, self.fp = {}, {}, {"mirai": 0, "zmap": 0, "masscan": 0}
        pairs = {}
        for s in spec:
            if not s.active(d):
                continue
            k = (s.key, s.kind)
            acc = 24 * s.pkts
            srcs = {s.source(h, i) for h in range(24) for i in range(s.pkts)}
            a = self.keys.setdefault(k, [0, 0])
            a[0] += acc
            new = srcs - pairs.setdefault(k, set())
            pairs[k] |= new
            a[1] += len(new)
            ar = self.areas.setdefault(s.area, [0, 0])
            ar[0] += acc
            ar[1] += len(new)
            if s.fp != "none":
                self.fp[s.fp] += acc


def span(spec, d0, d1):
    """Days [d0, d1] added up, and how many of them have data."""
    keys, areas, fp, nd = {}, {}, {"mirai": 0, "zmap": 0, "masscan": 0}, 0
    d = d0
    while d <= d1:
        if any(s.active(d) for s in spec):
            nd += 1
            x = Day(spec, d)
            for k, v in x.keys.items():
                t = keys.setdefault(k, [0, 0])
                t[0] += v[0]
                t[1] += v[1]
            for k, v in x.areas.items():
                t = areas.setdefault(k, [0, 0])
                t[0] += v[0]
                t[1] += v[1]
            for k in fp:
                fp[k] += x.fp[k]
        d += DAY
    return keys, areas, fp, nd


def month_days(y, m):
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def prev_month(y, m):
    return (y - 1, 12) if m == 1 else (y, m - 1)


def count(v):
    return f"{v:,}"


def per_day(v, nd):
    return (2 * v + nd) // (2 * nd)


def share(part, total):
    pm = (2000 * part + total) // (2 * total)
    return f"{pm // 10}.{pm % 10} %"


def tables(md):
    """Every table of the document, keyed by the nearest line of text above it."""
    out, lines, i, title = {}, md.splitlines(), 0, ""
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split(" | ")])
                i += 1
            out.setdefault(title, []).append(rows[0:1] + rows[2:])
            continue
        if ln.strip():
            title = ln.strip()
        i += 1
    return out


def find_table(t, pattern, n=0):
    for title, lst in t.items():
        if re.search(pattern, title):
            return lst[n] if n < len(lst) else None
    return None


def check_report(spec, month, path):
    md = open(path).read()
    y, m = map(int, month.split("-"))
    first, last = month_days(y, m)
    py, pm = prev_month(y, m)
    pfirst, plast = month_days(py, pm)
    keys, areas, fp, nd = span(spec, first, last)
    pkeys, _, _, pnd = span(spec, pfirst, plast)
    acc = sum(v[0] for v in keys.values())
    src = sum(v[1] for v in keys.values())
    t = tables(md)

    # 1. The headline, TALOT2's sentence.
    mname = first.strftime("%B %Y")
    want = (f"In {mname}, unwanted (one-sided) access totalled **{count(acc)}** for the 1 "
            f"monitoring point and the gross number of sources (\\*) was **{count(src)}**: one "
            f"monitoring point received **{count(per_day(acc, nd))}** accesses from "
            f"**{count(per_day(src, nd))}** sources per day.")
    check("headline sentence", want in md, True)
    pt = find_table(t, r"^\*\*Table 1-1: ")
    check("per point table", pt[1] if pt else None,
          ["p1", str(nd), count(acc), count(src), count(per_day(acc, nd)), count(per_day(src, nd))])
    kt = find_table(t, r"^\*\*Table 1-2: ")
    for kind in ("scan", "backscatter", "other"):
        ka = sum(v[0] for k, v in keys.items() if k[1] == kind)
        ks = sum(v[1] for k, v in keys.items() if k[1] == kind)
        row = next((r for r in kt[1:] if r[0] == kind), None) if kt else None
        check(f"kinds table, {kind}", row, [kind, count(ka), share(ka, acc), count(ks), share(ks, src)])
    pacc = sum(v[0] for v in pkeys.values())
    psrc = sum(v[1] for v in pkeys.values())
    ca = (acc / nd) / (pacc / pnd) * 100 - 100
    cs = (src / nd) / (psrc / pnd) * 100 - 100
    check("change on the previous month",
          f"accesses per point per day changed by **{ca:+.1f} %** and sources by **{cs:+.1f} %**" in md,
          True)

    # 2. This month against the previous one: every key of both, the change of the daily means.
    ct = find_table(t, r"^\*\*Table 2-1: ")
    rows = {(r[0], r[1]): r for r in ct[1:]} if ct else {}
    allk = set(keys) | set(pkeys)
    check("comparison table: one row per key of either month", sorted(rows), sorted(allk))
    for k in sorted(allk):
        c, p = keys.get(k, [0, 0])[0], pkeys.get(k, [0, 0])[0]
        vc, vp = c / nd, p / pnd
        ch = "new" if not p else f"{(vc - vp) / vp * 100:+.1f} %"
        check(f"comparison {k[0]} {k[1]}", rows.get(k),
              [k[0], k[1], count(p), count(c), f"{vp:.1f}", f"{vc:.1f}", ch])

    # 3. Ratio tables: keys by accesses and by sources, areas by both.
    def ranked(d, idx):
        return sorted(d.items(), key=lambda kv: (-kv[1][idx], kv[0]))

    for idx, pat in ((0, r"Table 2-3: ratio of accesses by destination"),
                     (1, r"Table 2-4: ratio of sources by destination")):
        tab = find_table(t, pat)
        total = acc if idx == 0 else src
        body = [r for r in tab[1:] if r[0]] if tab else []
        want = []
        # Ties are in key order (class, number, kind): the spec's ties are checked as a set.
        for (k, v) in ranked(keys, idx)[:10]:
            want.append([k[0], k[1], count(v[idx]), share(v[idx], total)])
        check(f"{pat[9:]}: rows", sorted(r[1:] for r in body), sorted(want))
        check(f"{pat[9:]}: in descending order",
              [int(r[3].replace(",", "")) for r in body],
              sorted((int(r[3].replace(",", "")) for r in body), reverse=True))
        tot = next((r for r in tab[1:] if r[1] == "**total**"), None) if tab else None
        check(f"{pat[9:]}: total", tot[3] if tot else None, count(total))
    for idx, pat in ((0, r"Table 2-6: ratio of accesses by source area"),
                     (1, r"Table 2-8: ratio of sources by source area")):
        tab = find_table(t, pat)
        total = acc if idx == 0 else src
        body = [r for r in tab[1:] if r[0]] if tab else []
        want = [["unknown" if a == "??" else a, count(v[idx]), share(v[idx], total)]
                for a, v in ranked(areas, idx)]
        check(f"{pat[9:]}: rows", sorted(r[1:] for r in body), sorted(want))
    check("ratio note", "Ratios are rounded to 0.1 % (half up), so that their total may not make "
          "100 % exactly." in md, True)

    # 4. Six months: the months without data say so.
    st = find_table(t, r"Table 3-0")
    ym = (y, m)
    want = []
    for i in range(5, -1, -1):
        yy, mm = ym[0], ym[1] - i
        while mm < 1:
            yy, mm = yy - 1, mm + 12
        f, l = month_days(yy, mm)
        k, _, _, n = span(spec, f, l)
        a = sum(v[0] for v in k.values())
        s = sum(v[1] for v in k.values())
        name = f"{yy:04d}-{mm:02d}"
        want.append([name, "0", "no data", "no data", "no data", "no data"] if not n else
                    [name, str(n), count(a), count(s), count(per_day(a, n)), count(per_day(s, n))])
    check("six-month table", st[1:] if st else None, want)

    # 5. Every top key is explained from the knowledge base.
    et = find_table(t, r"Table 5-1: ")
    check("explanations: every top key has a service and a source",
          [bool(r[3]) and bool(r[5]) for r in et[1:]] if et else None,
          [True] * min(10, len(keys)))

    # 6. Backscatter victims: sources of backscatter lines, packets, first and last seen.
    vic = {}
    d = first
    while d <= last:
        for s in spec:
            if s.kind != "backscatter" or not s.active(d):
                continue
            for h in range(24):
                for i in range(s.pkts):
                    a = s.source(h, i)
                    tus = s.packet_time_us(d, h, i)
                    v = vic.setdefault(a, [0, tus, tus, s.key])
                    v[0] += 1
                    v[1] = min(v[1], tus)
                    v[2] = max(v[2], tus)
        d += DAY
    vt = find_table(t, r"Table 6-2: ")
    order = sorted(vic.items(), key=lambda kv: (-kv[1][0], kv[0]))[:20]

    def ts(us):
        return dt.datetime.fromtimestamp(us // 1000000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    want = [[str(ipaddress.IPv4Address(a)), count(v[0]), v[3], ts(v[1]), ts(v[2])] for a, v in order]
    check("victims table (address, packets, service, first, last)",
          [r[:5] for r in vt[1:]] if vt else None, want)
    check("victims counted", f"**{count(len(vic))}** addresses answered" in md, True)

    # 7. Fingerprints.
    ft = find_table(t, r"Table 7-1: ")
    scan = sum(v[0] for k, v in keys.items() if k[1] == "scan")
    for name, label in (("mirai", "Mirai"), ("zmap", "ZMap"), ("masscan", "masscan")):
        row = next((r for r in ft[1:] if r[0] == label), None) if ft else None
        check(f"fingerprint {label}", row[1:3] if row else None, [count(fp[name]), share(fp[name], scan)])

    # 8. Trend table of the month's last day.
    tt = find_table(t, r"Table 8-1: ")
    scores = trend_scores(spec, last)
    want = [[k[0], k[1], count(v[0]), count(v[1]), f"{v[2]:.1f}", f"{v[3]:.1f}", f"{v[4]:.2f}"]
            for k, v in sorted(scores.items(), key=lambda kv: (-round(kv[1][4], 9), -kv[1][0], kv[0]))][:10]
    check("trend table rows", sorted(tt[1:]) if tt else None, sorted(want))

    # 9. The alerts table of the month.
    at = find_table(t, r"Table 9-1: ")
    expected = [a for a in expected_alerts(spec) if a["in"](first, last)]
    check("alerts table: kinds and keys",
          sorted((r[0], r[2], r[3]) for r in at[1:]) if at else None,
          sorted((a["kind"], a["key"], a["key_kind"]) for a in expected))
    imgs = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    check("every image of report.md exists", all(os.path.isfile(os.path.join(os.path.dirname(path), i))
                                                  for i in imgs) and len(imgs) > 0, True)


def day_figures(spec, d):
    if not any(s.active(d) for s in spec):
        return None
    return Day(spec, d).keys


def trend_scores(spec, d):
    """README's score of every key of day d: none when fewer than TREND_DAYS of the 30 days
    before have data (the baseline a score needs)."""
    today = day_figures(spec, d)
    if today is None:
        return {}
    before = [day_figures(spec, d - i * DAY) for i in range(1, 31)]
    before = [b for b in before if b is not None]
    if len(before) < TREND_DAYS:
        return {}
    out = {}
    for k, (a, s) in today.items():
        ma = sum(b.get(k, [0, 0])[0] for b in before) / len(before)
        ms = sum(b.get(k, [0, 0])[1] for b in before) / len(before)
        out[k] = (a, s, ma, ms, math.sqrt((a + 1) / (ma + 1) * ((s + 1) / (ms + 1))))
    return out


SURGE_PCT, SURGE_MIN, TREND_SCORE, TREND_MIN = 40.0, 100, 3.0, 50
TREND_MIN_SOURCES, TREND_DAYS = 10, 7


def expected_alerts(spec):
    """Every alert README.md's definitions give for the SPEC's days, with why."""
    days = [s.frm for s in spec] + [s.to for s in spec]
    d0, d1 = min(days), max(days)
    out = []

    def surges(kind, f, l, bf, bl):
        k, _, _, n = span(spec, f, l)
        bk, _, _, bn = span(spec, bf, bl)
        if not n or not bn:
            return
        for key, (a, _) in k.items():
            b = bk.get(key, [0, 0])[0]
            if a < SURGE_MIN or (b and a * bn * 100 < b * n * (100 + SURGE_PCT)):
                continue
            out.append({"kind": kind, "key": key[0], "key_kind": key[1], "measure": "accesses",
                        "from": f.isoformat(), "to": l.isoformat(), "value": a / n,
                        "baseline": b / bn,
                        "in": lambda x, y, f=f, l=l: f <= y and l >= x})

    y, m = d0.year, d0.month
    while (y, m) <= (d1.year, d1.month):
        f, l = month_days(y, m)
        bf, bl = month_days(*prev_month(y, m))
        surges("surge-month", f, l, bf, bl)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    mon = d0 - dt.timedelta(days=d0.weekday())
    while mon <= d1:
        surges("surge-week", mon, mon + 6 * DAY, mon - 7 * DAY, mon - DAY)
        mon += 7 * DAY

    def hit(d, k):
        sc = trend_scores(spec, d)
        return (k in sc and sc[k][0] >= TREND_MIN and sc[k][1] >= TREND_MIN_SOURCES and
                sc[k][4] >= TREND_SCORE)

    d = d0
    while d <= d1:
        for k, v in trend_scores(spec, d).items():
            if hit(d, k) and not hit(d - DAY, k):
                out.append({"kind": "trend", "key": k[0], "key_kind": k[1], "measure": "accesses",
                            "from": d.isoformat(), "to": d.isoformat(), "value": v[0],
                            "baseline": v[2], "score": v[4],
                            "in": lambda x, y, d=d: x <= d <= y})
        d += DAY
    # Holt-Winters (README.md): every hour of a series is the same until a line of the SPEC
    # changes a key's hourly rate, so the band around the steady hours is about zero wide and
    # each changed hour is outside it. FAILURES flags a row when 7 of the last 9 were outside:
    # the row ending at the 7th changed hour. Its cause is the first changed hour (hour 0 of
    # the day), observed against the steady value. Steady keys never change: no failure.
    for s in spec:
        if s.frm == d0:
            continue
        prev = [p for p in spec if p.key == s.key and p.kind == s.kind and p.to == s.frm - DAY]
        earlier = [p for p in spec if p.key == s.key and p.kind == s.kind and p.frm < s.frm]
        if not prev and not earlier:
            # A key new in the history: it has no file of its own (never 100 a day, never
            # tracked), but its kind's totals change from its first hour, the accesses every
            # hour, the sources only if they are new every hour (a fixed source is new once).
            t = dt.datetime.combine(s.frm, dt.time(7), dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
            before = [x for x in spec if x.active(s.frm - DAY) and x.kind == s.kind]
            after = [x for x in spec if x.active(s.frm) and x.kind == s.kind]
            for measure, srcs in (("accesses", False), ("sources", True)):
                if srcs and s.fixed:
                    continue
                out.append({"kind": "hw", "key": "total", "key_kind": s.kind, "measure": measure,
                            "from": t,
                            "value": sum(x.srcs if srcs else x.pkts for x in after),
                            "baseline": sum(x.srcs if srcs else x.pkts for x in before),
                            "in": lambda x, y, d=s.frm: x <= d <= y})
            continue
        if not prev:
            continue
        t = dt.datetime.combine(s.frm, dt.time(7), dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")

        def hour0(lines, kind, srcs):
            if srcs:
                return sum(x.srcs for x in lines if x.kind == kind)
            return sum(x.pkts for x in lines if x.kind == kind)

        before = [x for x in spec if x.active(s.frm - DAY)]
        after = [x for x in spec if x.active(s.frm)]
        for measure, srcs in (("accesses", False), ("sources", True)):
            for key, lb, la in ((s.key, prev, [s]), ("total", before, after)):
                out.append({"kind": "hw", "key": key, "key_kind": s.kind, "measure": measure,
                            "from": t, "value": hour0(la, s.kind, srcs),
                            "baseline": hour0(lb, s.kind, srcs),
                            "in": lambda x, y, d=s.frm: x <= d <= y})
    return out


def check_alerts(spec, path):
    got = json.load(open(path))["alerts"]
    want = expected_alerts(spec)

    def ident(a):
        return (a["kind"], a["key"], a["key_kind"], a["measure"], a["from"])

    check("alerts: exactly the expected ones", sorted(ident(a) for a in got),
          sorted(ident(a) for a in want))
    check("alerts: all of point p1", sorted({a["point"] for a in got}), ["p1"] if got else [])
    gi = {ident(a): a for a in got}
    for w in want:
        g = gi.get(ident(w))
        if not g:
            continue
        what = f"{w['kind']} {w['key']} {w['measure']} {w['from']}"
        check(f"alert {what}: value", round(g["value"], 3), round(w["value"], 3))
        # Holt-Winters predicts the steady value to within a little (its smoothing never quite
        # lands); the others are exact.
        tol = 0.05 if w["kind"] == "hw" else 0.0005
        check(f"alert {what}: baseline within {tol}", abs(g["baseline"] - w["baseline"]) <= tol, True)
        if w["kind"] == "trend":
            check(f"alert {what}: score", round(g["score"], 3), round(w["score"], 3))
        if w["kind"].startswith("surge"):
            want_pct = (w["value"] - w["baseline"]) / w["baseline"] * 100
            check(f"alert {what}: change", round(g["change_pct"], 2), round(want_pct, 2))


def check_commands(spec, d):
    envs = []
    for f in sorted(os.listdir(d)):
        e = dict(line.rstrip("\n").split("=", 1) for line in open(os.path.join(d, f)) if "=" in line)
        envs.append(e)
    want = expected_alerts(spec)
    check("alert command: one run per alert",
          sorted((e.get("SW_ALERT_KIND"), e.get("SW_ALERT_KEY"), e.get("SW_ALERT_MEASURE"),
                  e.get("SW_ALERT_FROM")) for e in envs),
          sorted((w["kind"], w["key"], w["measure"], w["from"]) for w in want))
    needed = ["SW_ALERT_KIND", "SW_ALERT_KEY", "SW_ALERT_POINT", "SW_ALERT_VALUE",
              "SW_ALERT_BASELINE", "SW_ALERT_KEY_KIND", "SW_ALERT_MEASURE", "SW_ALERT_FROM",
              "SW_ALERT_TO", "SW_ALERT_AT", "SW_ALERT_MESSAGE"]
    check("alert command: every field in every environment",
          all(all(n in e for n in needed) for e in envs) and len(envs) > 0, True)
    check("alert command: point p1 in each", sorted({e.get("SW_ALERT_POINT") for e in envs}), ["p1"])


def check_points(month, path, specs):
    md = open(path).read()
    y, m = map(int, month.split("-"))
    first, last = month_days(y, m)
    t = tables(md)
    pt = find_table(t, r"^\*\*Table 1-1: ")
    rows, ta, ts, tn = [], 0, 0, 0
    for i, spec in enumerate(specs):
        keys, _, _, nd = span(spec, first, last)
        a = sum(v[0] for v in keys.values())
        s = sum(v[1] for v in keys.values())
        rows.append([f"p{i + 1}", str(nd), count(a), count(s), count(per_day(a, nd)), count(per_day(s, nd))])
        ta, ts, tn = ta + a, ts + s, tn + nd
    rows.append(["**all points**", str(tn), count(ta), count(ts), count(per_day(ta, tn)), count(per_day(ts, tn))])
    check("per point table: each point and all points", pt[1:] if pt else None, rows)
    want = (f"**{count(ta)}** for the {len(specs)} monitoring points and the gross number of sources "
            f"(\\*) was **{count(ts)}**: one monitoring point received **{count(per_day(ta, tn))}** "
            f"accesses from **{count(per_day(ts, tn))}** sources per day.")
    check("headline of all points", want in md, True)
    for i, spec in enumerate(specs):
        keys, _, _, nd = span(spec, first, last)
        a = sum(v[0] for v in keys.values())
        check(f"section of point p{i + 1}", f"**{count(a)}** accesses from" in md.split(f"### p{i + 1}")[-1], True)


LABEL = (r"(?:tcp|udp|icmp6?|proto)/\w+|frag|[A-Z]{2}|\?\?|unknown|other|total|scan|backscatter|"
         r"mirai|zmap|masscan|all scans|all points|mean/point|[a-z][a-z0-9_-]*")
FIGURE = re.compile(r"(" + LABEL + r")\s+(?:total\s+)?(no data|[\d,]+(?:\.\d)?(?: %)?)(?=$|\s|;)")


def legends(md):
    """Each chart's caption and its legend, {label: text}, from the text of its image."""
    out = {}
    for alt in re.findall(r"!\[([^\]]*)\]\([^)]+\)", md):
        cap, _, leg = alt.partition(". Legend: ")
        figs = {}
        for m in FIGURE.finditer(leg):
            figs.setdefault(m.group(1), m.group(2))
        out[cap] = figs
    return out


def num(v):
    return int(v.replace(",", "")) if v and v[0].isdigit() and "." not in v else v


def check_legends(path):
    """Every figure a chart's legend shows against the report's own tables."""
    md = open(path).read()
    t = tables(md)
    lg = legends(md)
    check("report names no file of the source tree (README.md and the like, sources)",
          sorted(set(re.findall(r"\b[A-Z]+\.md\b|\b\w+\.[ch]\b", md))), [])
    # Every table has its label right above it: "**Table N-M: ...**".
    check("every table is labelled as a table",
          sorted(title for title in t if not re.match(r"^\*\*Table \d+-\d+: .*\*\*$", title)), [])
    check("no chart is labelled as a table, no table as a chart",
          [c for c in lg if not c.startswith("Chart ")], [])
    check("no 'nan' anywhere a person reads", re.findall(r"\b-?nan\b", md), [])

    def chart(prefix):
        for cap, figs in lg.items():
            if cap.startswith(prefix):
                return figs
        return None

    def rows(pattern):
        tab = find_table(t, pattern)
        return tab[1:] if tab else []

    # Month totals and kinds (table 1-2) against the kinds chart and the stacks' totals.
    kinds = {r[0]: (r[1], r[3]) for r in rows(r"Table 1-2: ")}
    acc_total = sum(num(v[0]) for v in kinds.values())
    src_total = sum(num(v[1]) for v in kinds.values())
    for prefix, total in (("Chart 2-1:", acc_total), ("Chart 2-2:", src_total),
                          ("Chart 2-5:", acc_total), ("Chart 2-7:", src_total),
                          ("Chart 2-3:", acc_total)):
        figs = chart(prefix)
        if figs is None:
            continue
        check(f"{prefix} legend total = tables' total", num(figs.get("total")), total)
    k = chart("Chart 6-1:")
    if k is not None:
        for kind, v in kinds.items():
            check(f"Chart 6-1: {kind} = table 1-2", k.get(kind), v[0])
    # Keys: a legend's key is its kinds together; the ratio table lists them one by one.
    for prefix, pattern in (("Chart 2-1:", r"Table 2-3: "), ("Chart 2-2:", r"Table 2-4: ")):
        figs = chart(prefix)
        if figs is None:
            continue
        by_key = {}
        listed = rows(pattern)
        for r in listed:
            if r[0] and r[1] != "**total**":
                by_key.setdefault(r[1], []).append(num(r[3]))
        other_row = [r for r in listed if r[1].startswith("other (")]
        for key, v in figs.items():
            if "/" not in key and key != "frag":
                continue
            if key in by_key and not other_row:
                check(f"{prefix} {key} = its rows in the ratio table", num(v), sum(by_key[key]))
            elif key in by_key:
                # Some kind of the key may be among "other": at least its rows listed.
                check(f"{prefix} {key} >= its rows in the ratio table", num(v) >= sum(by_key[key]),
                      True)
    figs, counts = chart("Chart 2-3:"), chart("Chart 2-1:")
    if figs is not None and counts is not None:
        # Its shares are of the same keys, kinds together: chart 2-1's counts over the total.
        for key, v in figs.items():
            if ("/" in key or key == "frag") and key in counts:
                check(f"Chart 2-3: {key}'s share = chart 2-1's {key} over the total", v,
                      share(num(counts[key]), acc_total))
    # Areas have one row each.
    for prefix, pattern in (("Chart 2-5:", r"Table 2-6: "), ("Chart 2-7:", r"Table 2-8: ")):
        figs = chart(prefix)
        if figs is None:
            continue
        area = {r[1]: r[2] for r in rows(pattern) if r[0]}
        for a, v in figs.items():
            if a in area:
                check(f"{prefix} {a} = its row in the ratio table", v, area[a])
    # Fingerprints against table 7-1.
    figs = chart("Chart 7-1:")
    if figs is not None:
        for r in rows(r"Table 7-1: "):
            check(f"Chart 7-1: {r[0]} = table 7-1", figs.get(r[0].lower()), r[1])
        check("Chart 7-1: all scans = table 1-2's scans", figs.get("all scans"), kinds.get("scan", ("?",))[0])
    # Six months per point: chart 1-1 against table 3-0.
    six = rows(r"Table 3-0: ")
    six_acc = sum(num(r[2]) for r in six if r[2] != "no data")
    six_src = sum(num(r[3]) for r in six if r[3] != "no data")
    six_days = sum(int(r[1]) for r in six)
    for prefix, total in (("Chart 1-1a:", six_acc), ("Chart 1-1b:", six_src)):
        figs = chart(prefix)
        if figs is None:
            continue
        check(f"{prefix} all points = table 3-0's six months", num(figs.get("all points")), total)
        check(f"{prefix} mean/point = six months a point-day",
              num(figs.get("mean/point")), per_day(total, six_days) if six_days else None)


def svg_boxes(path):
    """The colours of an rrdgraph SVG's legend boxes, in the legend's order: the small filled
    squares cairo writes for each series' marker."""
    out = []
    sq = re.compile(r'fill:rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\);fill-opacity:1;" d="M ([\d.]+) '
                    r'([\d.]+) L \4 ([\d.]+) L ([\d.]+) \6 L \7 \5 Z')
    for m in sq.finditer(open(path).read()):
        y0, y1, x0, x1 = float(m.group(5)), float(m.group(6)), float(m.group(4)), float(m.group(7))
        # Each marker is a white square under the colour's.
        if 7 < y1 - y0 < 10 and 7 < x1 - x0 < 10 and m.group(1, 2, 3) != ("100", "100", "100"):
            out.append("#%02x%02x%02x" % tuple(round(float(m.group(i)) * 255 / 100) for i in (1, 2, 3)))
    return out


def alike(a, b):
    """The charts' own test of two colours a reader could not tell apart (rrd/colours.c)."""
    r1, g1, b1 = (int(a[i:i + 2], 16) for i in (1, 3, 5))
    r2, g2, b2 = (int(b[i:i + 2], 16) for i in (1, 3, 5))
    rm = (r1 + r2) / 2
    return math.sqrt((2 + rm / 256) * (r1 - r2) ** 2 + 4 * (g1 - g2) ** 2 +
                     (2 + (255 - rm) / 256) * (b1 - b2) ** 2) < 80


def check_colours(path):
    """Every key and area in one colour across the report's charts, and no two alike."""
    md = open(path).read()
    d = os.path.dirname(path)
    seen = {}
    charts = 0
    for alt, img in re.findall(r"!\[([^\]]*)\]\(([^)]+)\.png\)", md):
        cap, _, leg = alt.partition(". Legend: ")
        svg = os.path.join(d, img + ".svg")
        if not cap.startswith(("Chart 2-", "Chart 6-", "Chart 7-")) or not os.path.exists(svg):
            continue
        labels = [m.group(1) for m in FIGURE.finditer(leg)
                  if m.group(1) not in ("total", "all scans", "all points")]
        boxes = svg_boxes(svg)
        check(f"{cap}: a legend box per series", len(boxes), len(labels))
        charts += 1
        for label, colour in zip(labels, boxes):
            if label in seen and seen[label][0] != colour:
                check(f"{label}: one colour in every chart", f"{colour} in {cap}",
                      f"{seen[label][0]} in {seen[label][1]}")
            seen.setdefault(label, (colour, cap))
    check("charts with legend boxes read", charts >= 5, True)

    def cls(label):
        return "key" if "/" in label or label == "frag" else \
            "area" if re.fullmatch(r"[A-Z]{2}|unknown", label) else "other"

    clash = []
    names = sorted(seen)
    for i, a in enumerate(names):
        for b in names[:i]:
            if (cls(a) == cls(b) or "other" in (a, b)) and alike(seen[a][0], seen[b][0]):
                clash.append(f"{a} {seen[a][0]} / {b} {seen[b][0]}")
    check(f"no two of {len(names)} keys and areas look alike", clash, [])


def check_sample(path, month, oracles):
    """The month's figures of a report made from real captures, against tshark's count."""
    md = open(path).read()
    t = tables(md)
    keys = {}
    for o in oracles:
        for line in open(o):
            f = line.split()
            if f and f[0] == "key" and f[1].startswith(month):
                v = keys.setdefault((f[2], f[3]), [0, 0])
                v[0] += int(f[4])
                v[1] += int(f[5])
    acc = sum(v[0] for v in keys.values())
    src = sum(v[1] for v in keys.values())
    check(f"headline: {acc} accesses and {src} gross sources, as tshark counts them",
          bool(re.search(rf"totalled \*\*{count(acc)}\*\* .* sources \(\\\*\) was \*\*{count(src)}\*\*", md)),
          True)
    kt = find_table(t, r"^\*\*Table 1-2: ")
    for kind in ("scan", "backscatter", "other"):
        a = sum(v[0] for k, v in keys.items() if k[1] == kind)
        s = sum(v[1] for k, v in keys.items() if k[1] == kind)
        row = next((r for r in kt[1:] if r[0] == kind), None) if kt else None
        check(f"table 1-2 {kind} = tshark's", row[1:] if row else None,
              [count(a), share(a, acc), count(s), share(s, src)])
    for idx, pat, total in ((0, r"Table 2-3: ", acc), (1, r"Table 2-4: ", src)):
        tab = find_table(t, pat)
        body = [r for r in tab[1:] if r[0]] if tab else []
        ranked = sorted(keys.items(), key=lambda kv: (-kv[1][idx], kv[0]))[:10]
        # Ties at the tenth place may be broken otherwise: the values, and each row listed.
        check(f"{pat}top ten by tshark's count", [int(r[3].replace(",", "")) for r in body],
              [v[idx] for _, v in ranked])
        for r in body:
            v = keys.get((r[1], r[2]), [0, 0])[idx]
            check(f"{pat}{r[1]} {r[2]} = tshark's", r[3:5], [count(v), share(v, total)])


def rate(v):
    """A figure per watched address as README.md's "Per watched address" gives it: three
    significant digits, whole numbers from 100 up, an exponent below 0.001."""
    if v >= 99.95:
        return count(int(math.floor(v + 0.5)))
    if v == 0:
        return "0"
    for d, bound in enumerate((9.995, 0.9995, 0.09995, 0.009995, 0.0009995), 1):
        if v >= bound:
            return f"{v:.{d}f}"
    return f"{v:.2e}"


def check_peraddress(path, expect):
    t = tables(open(path).read())
    tab = find_table(t, r"^\*\*Table 1-3: accesses and sources per watched address")
    rows, ta, ts, tad, lo, hi, known = [], 0, 0, 0, None, None, True
    for line in open(expect):
        f = line.split()
        if f[1] == "n/a":
            rows.append([f[0], "n/a", "n/a", "n/a", "n/a"])
            known = False
            continue
        n, days, a, s = (int(x) for x in f[1:5])
        ad = n * days
        rows.append([f[0], count(n), count(ad), rate(a / ad), rate(s / ad)])
        ta, ts, tad = ta + a, ts + s, tad + ad
        lo, hi = min(lo or n, n), max(hi or n, n)
    if len(rows) > 1:
        if known:
            w = count(lo) if lo == hi else f"{count(lo)} to {count(hi)}"
            rows.append(["**all points**", w, count(tad), rate(ta / tad), rate(ts / tad)])
        else:
            rows.append(["**all points**", "n/a", "n/a", "n/a", "n/a"])
    check("Table 1-3: per watched address, each point and all points", tab[1:] if tab else None,
          rows)


if __name__ == "__main__":
    if sys.argv[1] == "peraddress":
        check_peraddress(sys.argv[2], sys.argv[3])
        sys.exit(1 if fails else 0)
    if sys.argv[1] == "sample":
        check_sample(sys.argv[2], sys.argv[3], sys.argv[4:])
        sys.exit(1 if fails else 0)
    if sys.argv[1] == "colours":
        check_colours(sys.argv[2])
        sys.exit(1 if fails else 0)
    if sys.argv[1] == "legends":
        check_legends(sys.argv[2])
        sys.exit(1 if fails else 0)
    if sys.argv[1] == "points":
        check_points(sys.argv[2], sys.argv[3], [load_spec(p) for p in sys.argv[4:]])
        sys.exit(1 if fails else 0)
    spec = load_spec(sys.argv[2])
    if sys.argv[1] == "report":
        check_report(spec, sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "alerts":
        check_alerts(spec, sys.argv[3])
    elif sys.argv[1] == "commands":
        check_commands(spec, sys.argv[3])
    elif sys.argv[1] == "expect":
        for a in expected_alerts(spec):
            print({k: v for k, v in a.items() if k != "in"})
    sys.exit(1 if fails else 0)
