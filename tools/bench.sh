#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: every performance target, each a ratio or a figure from this one run, with
# the method of each printed, all figures in bench.json at the repository root, and one table
# at the end (the one README.md's "Performance" shows):
#   1. XDP cost per packet against an empty XDP program (tools/bench, BPF_PROG_TEST_RUN);
#      with hardware counters, perf stat adds instructions per packet
#   2. packets/s a veth receives with scanwatch attached against nothing (tools/bench_veth.sh)
#   3. CPU per packet against tcpdump on the same traffic (tools/bench_veth.sh)
#   4. drain of 1 000 000 pairs (tools/bench_drain) and their store (tools/bench_store)
#   5. RRD writes, 10 points x 100 files (tools/bench_rrd)
#   6. the daemon at rest (tools/bench_veth.sh)
#   7. the XDP program's run time on a real capture replayed over a veth, against an empty
#      program (tools/bench_replay.sh, kernel BPF statistics)
#   8. a day of 10^6 and of 10^7 (source, key) pairs stored over 1 440 intervals (tools/bench_day)
# and, as information outside section 7, host mode against sensor mode (tools/bench_hostmode)
# and ten points storing a day into one PostgreSQL database against local files (tools/bench_db.sh).
# Ratios are information: only a bench that cannot run, or that counts wrongly, fails.
#
# BENCH_JSON (default bench.json) is where the figures go; BENCH_CPU (default the last CPU) the
# CPU every part runs on; BENCH_PERF_EVENT (default instructions) perf stat's counter;
# BENCH_COUNT, BENCH_REPS, BENCH_REST_S go to tools/bench_veth.sh.
set -eu
cd "$(dirname "$0")/.."
JSON=${BENCH_JSON:-bench.json}
EVENT=${BENCH_PERF_EVENT:-instructions}
CPU=${BENCH_CPU:-$(($(nproc) - 1))}
export BENCH_CPU=$CPU
T=.output/tools

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (BPF_PROG_TEST_RUN, network namespaces, XDP)" >&2
	exit 1
fi
for b in bench bench_drain bench_store bench_rrd bench_hostmode blast bench_day bpfstats; do
	[ -x "$T/$b" ] || { echo "bench: $T/$b is not built (make)" >&2; exit 1; }
done
[ -x scanwatch ] || { echo "bench: scanwatch is not built (make)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
START=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

section() { printf '\n== %s ==\n' "$*"; }

section "1. XDP cost per packet against an empty XDP program"
"$T/bench" --cpu "$CPU" --json "$TMP/xdp.json"

# Prints "<count>" of $EVENT over one pass of the mix through program $1, frames in $TMP/frames.
count_pass() {
	perf stat -x, -e "$EVENT" -o "$TMP/perf.$1" -- "$T/bench" --cpu "$CPU" --pass "$1" \
		>"$TMP/out.$1" || return 1
	awk '{ print $1 }' "$TMP/out.$1" >"$TMP/frames"
	awk -F, -v ev="$EVENT" '$3 == ev && $1 ~ /^[0-9.]+$/ { print $1; found = 1 } END { exit !found }' \
		"$TMP/perf.$1"
}

# The passes load both programs and build the same mix; only the program run differs, so the
# difference of the two counts over the frames is scanwatch's extra cost per packet.
perf_note= per=
if ! command -v perf >/dev/null; then
	perf_note="perf is not installed"
elif ! perf stat -x, -e "$EVENT" -o "$TMP/probe" -- true >/dev/null 2>&1 ||
	grep -q '<not supported>\|<not counted>' "$TMP/probe"; then
	perf_note="perf stat -e $EVENT is not supported here (no hardware counters, e.g. in a VM)"
elif sw=$(count_pass scanwatch) && empty=$(count_pass empty); then
	frames=$(cat "$TMP/frames")
	per=$(awk -v a="$sw" -v b="$empty" -v n="$frames" 'BEGIN { printf "%.1f", (a - b) / n }')
	echo "perf stat: scanwatch costs $per $EVENT per packet more than the empty program" \
		"($sw vs $empty over $frames frames, each pass loading both programs)"
else
	perf_note="perf stat -e $EVENT failed on the bench passes"
fi
[ -z "$perf_note" ] || echo "perf stat: skipped: $perf_note"

section "4. drain of 1 000 000 (source, key) pairs, and their store"
echo "method: the sensor's counting state filled with 1 000 000 distinct pairs through the XDP" \
	"program (BPF_PROG_TEST_RUN, one frame a pair: a million log records), then drain_flip" \
	"(waiting for running programs), drain_read and drain_clear as the daemon calls them;" \
	"three rounds, the median of the last two by CPU time (the first touches its buffers for" \
	"the first time, shown apart); peak resident memory of that process (VmHWM, reset before" \
	"the drain). The store: tools/bench_store hands the same number of pairs to" \
	"store_interval() as one interval, in its own process."
"$T/bench_drain" --pairs 1000000 --cpu "$CPU" --json "$TMP/drain.json"
"$T/bench_store" --pairs 1000000 --interval-pairs 1000000 --json "$TMP/store.json"

section "5. RRD writes, 10 points x 100 files per interval"
echo "method: tools/bench_rrd, the daemon's RRD store writing 20 intervals after the one that" \
	"creates the files; mean and worst interval, on tmpfs, on disk and through rrdcached."
"$T/bench_rrd" --points 10 --files 100 --json "$TMP/rrd.json"

section "2, 3 and 6. veth end to end, CPU per packet against tcpdump, the daemon at rest"
tools/bench_veth.sh "$TMP/veth.json"

section "7. real traffic: the XDP program's run time on a replayed capture"
tools/bench_replay.sh "$TMP/replay.json"

section "8. Internet scale: a day of 10^6 and of 10^7 (source, key) pairs"
echo "method: tools/bench_day stores a generated day through store_interval() as the daemon" \
	"does, 1 440 one-minute intervals, each with 1/1440 of the day's pairs new and as many" \
	"records of pairs seen earlier that day, in a drain's random order (2 % IPv6 sources);" \
	"on tmpfs, so that the figures are the store's and not a disk's; bytes a pair of the" \
	"day's set (pairset_bytes) and of the resident memory it added."
for n in 1000000 10000000; do
	"$T/bench_day" --pairs "$n" --json "$TMP/day$n.json"
done

section "information: host mode against sensor mode"
"$T/bench_hostmode" --rounds 3 --cpu "$CPU" --json "$TMP/hostmode.json"

section "information: ten points storing a day into one database, against local files"
tools/bench_db.sh "$TMP/db.json"

END=$(date +%s)
section "table"
python3 - "$TMP" "$JSON" "$EVENT" "$per" "$perf_note" "$((END - START))" "$LOAD0" "$CPU" <<'EOF'
import json, os, sys
sys.path.insert(0, "tools/lib")
from benchstat import pct, ratio_cell
tmp, path, event, per, note, secs, load0, cpu = sys.argv[1:9]
def load(name):
    with open(os.path.join(tmp, name)) as f:
        return json.load(f)
xdp, veth = load("xdp.json"), load("veth.json")
drain, store, rrd = load("drain.json")["drain"], load("store.json")["store"], load("rrd.json")["rrd"]
xdp["perf_stat"] = {"event": event, "per_packet_over_empty": float(per)} if per else \
    {"event": event, "skipped": note}
m = xdp["machine"]
machine = "%s, %d CPUs, %s, %s" % (m["cpu"], m["cpus"], xdp["kernel"], m["arch"])
date = xdp["date"]

rows = []
def row(name, figure, baseline, ratio, target, ok):
    rows.append({"row": name, "figure": figure, "baseline": baseline,
                 "ratio": ratio, "target": target,
                 "verdict": "" if ok is None else ok if isinstance(ok, str) else
                            ("PASS" if ok else "MISS")})
# A ratio whose figures' repeats disagree by more than 20 % is no verdict (tools/lib/benchstat.py).
def judged(parts, ok):
    return ok if all(f["agrees"] for _, f in parts) else "UNSTABLE"

n = xdp["ns_per_packet"]
a, b, d = n["a_mix_repeat1"], n["b_mix_repeatR"], n["d_mix_batched"]
row("1. XDP cost/packet, mix, each frame once", "%.0f ns" % a["ns"]["scanwatch"],
    "empty %.0f ns" % a["ns"]["empty"], "%.2fx" % a["ratio"], "<= 1.5x", a["ratio"] <= 1.5)
row("   same, each frame %dx (pair hot)" % xdp["repeat_b"], "%.0f ns" % b["ns"]["scanwatch"],
    "empty %.0f ns" % b["ns"]["empty"], "%.2fx" % b["ratio"], "<= 1.5x", b["ratio"] <= 1.5)
# The ablation ladder: each step's own cost, in the same run (tools/bench.c, method_ladder).
steps = ("touch", "parse", "cache", "scanwatch")
for name, r in (("mix, once", a), ("pair hot", b), ("mix, batches of 64", d)):
    v = [r["ns"]["empty"]] + [r["ns"][k] for k in steps]
    row("   ladder, %s: touch, parse, +cache, +log" % name,
        " ".join("%+.0f" % (v[i + 1] - v[i]) for i in range(4)) + " ns",
        "empty %.0f ns" % v[0], "", "(where the ns go)", None)
dv = xdp["derived"]
row("   mix, once, without the page walks of each call", "%.0f ns" % dv["a_without_page_walks_ns"],
    "empty %.0f ns" % a["ns"]["empty"], "%.2fx" % dv["a_without_page_walks_ratio"],
    "(information)", None)
v = veth["veth"]
# Packets a core-second is the primary figure: the wall-clock rate moves with whatever else the
# machine runs meanwhile; both are in bench.json and in the lines above.
for mode in ("native", "generic"):
    r = v[mode]
    f = r["core_ratio_figure"]
    parts = [("ratio", f)]
    cell = ratio_cell(r["core_ratio"], parts, "%.2f")
    if f["agrees"]:
        cell += ", spread %s (wall %.2f)" % (pct(f["spread"]), r["ratio"])
    row("2. veth rx packets/s, %s XDP" % mode,
        "%.0f k (wall %.0f k)" % (r["core_pps"] / 1e3, r["pps"] / 1e3),
        "none %.0f k (wall %.0f k)" % (v["none_core_pps"] / 1e3, v["none_pps"] / 1e3),
        cell, ">= 0.95", judged(parts, r["core_ratio"] >= 0.95))
r = v["native"]
row("   receive path alone, native XDP", "%.0f ns/pkt" % r["receive_path_ns_per_pkt"],
    "none %.0f ns/pkt" % v["none_receive_path_ns_per_pkt"],
    "%.2f" % r["receive_capacity_ratio"], "(capacity)", None)
# The veth's own XDP path of each mode, which any program attached in that mode pays: next to
# nothing for blast's XDP frames; for a socket's frames (BENCH_SENDER=socket) native mode copies
# each into a page of its own and generic mode gives the skb XDP's headroom.
for mode in ("native", "generic"):
    e = v["empty-" + mode]
    row("   veth rx packets/s, %s, an empty XDP program" % mode, "%.0f k (wall %.0f k)" %
        (e["core_pps"] / 1e3, e["pps"] / 1e3),
        "none %.0f k (wall %.0f k)" % (v["none_core_pps"] / 1e3, v["none_pps"] / 1e3),
        ratio_cell(e["core_ratio"], [("ratio", e["core_ratio_figure"])], "%.2f"),
        "(the veth's XDP path)", None)
c = veth["cpu"]
t = c["tcpdump"]
for mode in ("native", "generic"):
    r = c[mode]
    parts = [(mode, r["figure"]), ("tcpdump", t["figure"])]
    row("3. CPU/packet vs tcpdump, %s XDP" % mode,
        "%.0f ns (%.0f+%.0f), spread %s" % (r["ns_per_pkt"], r["kernel_ns_per_pkt"],
                                           r["process_ns_per_pkt"], pct(r["figure"]["spread"])),
        "tcpdump %.0f ns, spread %s" % (t["ns_per_pkt"], pct(t["figure"]["spread"])),
        ratio_cell(r["ratio_to_tcpdump"], parts), "<= 0.5x",
        judged(parts, r["ratio_to_tcpdump"] <= 0.5))
for mode in ("native", "generic"):
    ek = c["empty-" + mode]["kernel"]
    row("   %s, an empty XDP program: receive path share" % mode,
        "%+.0f ns, spread %s" % (ek["median"], pct(ek["spread"])),
        "tcpdump %.0f ns" % t["ns_per_pkt"], "%.2fx" % (ek["median"] / t["ns_per_pkt"]),
        "(the veth's XDP path)", None)
row("4. drain of %d pairs" % drain["pairs"],
    "CPU %.3f s (wall %.2f s), %.0f MB" % (drain["cpu_s"], drain["total_s"],
                                         drain["peak_rss_kb"] / 1024),
    "", "", "<= 0.1 s, 150 MB", drain["within_target"])
row("   the first drain (fresh buffers)", "CPU %.2f s (wall %.2f s)" % (drain["first_cpu_s"],
    drain["first_total_s"]), "", "", "(information)", None)
row("   store of %d pairs (1st interval)" % store["interval_pairs"],
    "%.2f s, %.0f MB" % (store["first_interval_s"], store["peak_rss_kb"] / 1024), "", "",
    "<= 0.2 s", store["first_interval_within_target"])
for where in ("disk", "tmpfs", "rrdcached"):
    r = rrd.get(where, {})
    if r.get("ran"):
        row("5. RRD writes, %dx%d files, %s" % (rrd["points"], rrd["files_per_point"], where),
            "%.0f ms (max %.0f)" % (r["mean_ms"], r["max_ms"]), "", "", "<= 1 s",
            r["within_target"])
rest = veth["rest"]
row("6. daemon at rest, resident", "%.1f MB (peak %.1f)" % (rest["rss_kb"] / 1024, rest["hwm_kb"] / 1024),
    "", "", "<= 20 MB", rest["rss_kb"] / 1024 <= 20)
row("   daemon at rest, CPU (%.0f s, interval %d s)" % (rest["seconds"], rest["interval_s"]),
    "%.2f %% of a core" % rest["cpu_percent"], "", "", "<= 1 %", rest["cpu_percent"] <= 1)
rp = load("replay.json")["replay"]
if "skipped" in rp:
    row("7. real traffic: XDP run time/packet", "(%s)" % rp["skipped"], "", "", "<= 1.5x", None)
else:
    parts = [("scanwatch", rp["scanwatch"]), ("empty", rp["empty"])]
    row("7. real traffic: XDP run time/packet, %s" % rp["capture"].split("__")[-1].split(".pcap")[0],
        "%.0f ns, spread %s" % (rp["scanwatch"]["median"], pct(rp["scanwatch"]["spread"])),
        "empty %.0f ns, spread %s" % (rp["empty"]["median"], pct(rp["empty"]["spread"])),
        ratio_cell(rp["ratio"]["median"], parts), "<= 1.5x",
        judged(parts, rp["ratio"]["median"] <= 1.5))
days = [load("day%d.json" % n)["day"] for n in (1000000, 10000000)]
power = lambda n: "10^%d" % (len(str(n)) - 1) if str(n).rstrip("0") == "1" else str(n)
# "Flat": a record costs at most 1.5 times as much in a day ten times bigger.
for d in days:
    flat = d["ns_per_record"] / days[0]["ns_per_record"]
    row("8. day's source set, %s pairs, %d intervals" % (power(d["pairs"]), d["intervals"]),
        "%.2f ms/interval, %.0f ns/record, %.1f B/pair" %
        (d["interval_ms"], d["ns_per_record"], d["set_bytes_per_pair"]),
        "" if d is days[0] else "%s pairs: %.0f ns/record" % (power(days[0]["pairs"]),
                                                             days[0]["ns_per_record"]),
        "" if d is days[0] else "%.2fx" % flat, "flat, <= 16 B/pair",
        d["set_bytes_per_pair"] <= 16 and flat <= 1.5)
hm = load("hostmode.json")["hostmode"]
row("+. host mode, scan mix (information)", "%.0f ns" % hm["ns_per_packet"]["host_scan"]["median"],
    "sensor mode %.0f ns" % hm["ns_per_packet"]["sensor_scan"]["median"],
    "%.2fx" % hm["host_over_sensor_scan"]["ratio"], "", None)

db = load("db.json")["db"]
row("+. %d points x a day (%d intervals) into one database" % (db["points"], db["intervals_per_point"]),
    "%.0f intervals/s, %.0f kB a point-day" % (db["db_intervals_per_s"], db["db_bytes_per_point_day"] / 1024),
    "files %.0f intervals/s, %.0f kB" % (db["files_intervals_per_s"], db["files_bytes_per_point_day"] / 1024),
    "%.2fx" % db["ratio"], "", None)

cols = ("row", "figure", "baseline", "ratio", "target", "verdict")
heads = ("row", "figure", "baseline", "ratio", "target", "")
w = [max(len(h), *(len(r[k]) for r in rows)) for h, k in zip(heads, cols)]
line = lambda vals: "  ".join(s.ljust(n) for s, n in zip(vals, w)).rstrip()
print("scanwatch bench, %s; %s; CPU %s; load average %s at the start; %s s" %
      (date, machine, cpu, load0, secs))
print(line(heads))
for r in rows:
    print(line([r[k] for k in cols]))
print("PASS/MISS are information: the bench fails only when it cannot run or counts wrongly.")
md_heads = heads[:-1] + ("verdict",)
md = ["Measured %s on %s (`make bench`, %s s; load average %s at the start)." %
      (date[:10], machine, secs, load0), "",
      "| " + " | ".join(md_heads) + " |", "|" + "---|" * len(heads)]
for r in rows:
    md.append("| " + " | ".join(r[k].strip() for k in cols) + " |")
doc = {"date": date, "machine": machine, "cpu": int(cpu), "load_average_start": load0,
       "seconds": int(secs), "table": rows, "table_markdown": "\n".join(md) + "\n",
       "xdp": xdp, "drain": drain, "store": store, "rrd": rrd, "hostmode": hm, "db": db,
       "veth": veth["veth"], "cpu_per_packet": veth["cpu"], "rest": veth["rest"],
       "veth_method": veth["veth_method"], "replay": rp, "day": days}
with open(path + ".tmp", "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
os.replace(path + ".tmp", path)
EOF
echo "bench: figures written to $JSON (the table as Markdown: its \"table_markdown\")"
