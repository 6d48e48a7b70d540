#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The documentation against the program it documents, so that neither drifts from the other:
#  - every long option a command's --help defines (its option table and its usage lines) has a
#    .TP entry in that command's .SS section of man/scanwatch.8, or, for a command whose section
#    refers to them, in the shared "Alert thresholds" section; the commands are the ones
#    `scanwatch --help` lists, so a new command needs its section too;
#  - groff -man -ww finds nothing to warn about in the page, and man formats it without a word
#    on stderr;
#  - every link of README.md and docs/*.md to a file of the tree names a file that exists, and
#    every #anchor a heading of its target;
#  - nothing a user reads points to a specification outside the repository for a definition.
# Needs no root: it only asks the binary for its help texts.
source "$(dirname "$0")/lib.sh"

[ -x "$SW" ] || t_skip_all "scanwatch is not built (make)"
require_cmd groff man python3
MAN=$SRC_ROOT/man/scanwatch.8
WORK=$(mktemp -d)
on_exit rm -rf "$WORK"

# The commands, from the top-level help's "  NAME   what it does" lines.
"$SW" --help >"$WORK/help" 2>&1
t_eq "$?" 0 "scanwatch --help exits 0"
mapfile -t CMDS < <(awk '/^  [a-z][a-z-]*  / { print $1 }' "$WORK/help")
# run and replay are the two the rest of the tree cannot do without; the others are counted.
t_true "scanwatch --help lists run and replay among its ${#CMDS[@]} commands (${CMDS[*]})" \
	eval '[[ " ${CMDS[*]} " == *" run "* && " ${CMDS[*]} " == *" replay "* ]]'

# The page's entries: for each .SS section, the long options of the tag line after each .TP,
# and whether the section sends the reader to the alert thresholds.
python3 - "$MAN" >"$WORK/entries" <<'EOF'
import re, sys
sec, tp, refers = None, False, {}
entries = {}
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith(".SH"):
        sec = None
        continue
    if line.startswith(".SS"):
        sec = re.sub(r'\\-', '-', line[3:]).strip().strip('"')
        entries.setdefault(sec, set())
        continue
    if sec is None:
        continue
    text = re.sub(r'\\f[BIRP]|\\&', '', line).replace('\\-', '-')
    if 'alert thresholds' in text.lower():
        refers[sec] = True
    if line.startswith(".TP"):
        tp = True
        continue
    if tp:
        entries[sec].update(re.findall(r'--[a-z][a-z0-9-]*', text))
        tp = False
for sec, opts in sorted(entries.items()):
    print("%s\t%s\t%s" % (sec, "refers" if refers.get(sec) else "-", " ".join(sorted(opts))))
EOF
t_eq "$?" 0 "man/scanwatch.8's .TP entries read"
shared=$(awk -F'\t' '$1 == "Alert thresholds" { print $3 }' "$WORK/entries")
t_true "the page has the shared \"Alert thresholds\" section with entries" test -n "$shared"

for cmd in "${CMDS[@]}"; do
	"$SW" "$cmd" --help >"$WORK/$cmd.help" 2>"$WORK/$cmd.err"
	rc=$?
	t_eq "$rc:$(wc -l <"$WORK/$cmd.err")" 0:0 "scanwatch $cmd --help exits 0 with nothing on stderr"
	# What the help defines: its usage lines (up to the first blank line) and its option table
	# (lines that start, after blanks, with "-x, --name" or "--name").
	mapfile -t OPTS < <({
		sed -n '1,/^$/p' "$WORK/$cmd.help"
		grep -E '^ +(-[a-zA-Z], )?--[a-z]' "$WORK/$cmd.help" | awk '{ print ($1 ~ /,$/) ? $2 : $1 }'
	} | grep -oE -- '--[a-z][a-z0-9-]*' | grep -vx -- '--help' | sort -u)
	line=$(awk -F'\t' -v s="$cmd" '$1 == s' "$WORK/entries")
	if [ -z "$line" ]; then
		t_fail "man/scanwatch.8 has no .SS $cmd section (scanwatch --help lists the command)"
		continue
	fi
	have=" $(cut -f3 <<<"$line") "
	[ "$(cut -f2 <<<"$line")" = refers ] && have+=" $shared "
	missing=""
	for o in "${OPTS[@]}"; do [[ $have == *" $o "* ]] || missing+=" $o"; done
	t_eq "${missing:-none}" none \
		"$cmd: options of its --help (${#OPTS[@]}) without a .TP entry under .SS $cmd in man/scanwatch.8"
done

# groff's own checks, every warning category on; and man as a reader runs it.
groff -man -ww -z "$MAN" >"$WORK/groff" 2>&1
t_eq "$?:$(wc -l <"$WORK/groff")" 0:0 "groff -man -ww -z man/scanwatch.8: exit 0, no warning"
sed 's/^/#   groff: /' "$WORK/groff" | head -20
MANWIDTH=80 man -l "$MAN" >"$WORK/man.txt" 2>"$WORK/man.err"
t_eq "$?:$(wc -l <"$WORK/man.err")" 0:0 "man -l man/scanwatch.8: exit 0, nothing on stderr"
t_true "the formatted page has FILES and ENVIRONMENT sections" \
	eval 'grep -qx FILES "$WORK/man.txt" && grep -qx ENVIRONMENT "$WORK/man.txt"'

# Links between the documents: [text](path) and [text](path#anchor), not URLs. An anchor is a
# heading of its target as GitHub spells it: lower case, blanks as '-', punctuation left out.
python3 - "$SRC_ROOT" >"$WORK/links" <<'EOF'
import os, re, sys
root = sys.argv[1]
docs = ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(root, "docs"))
                              if f.endswith(".md"))
def anchors(path):
    out = set()
    inside = False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            inside = not inside
        m = None if inside else re.match(r'#+ (.*)', line)
        if m:
            a = re.sub(r'[^\w\- ]', '', m.group(1).strip().lower()).replace(' ', '-')
            out.add(a)
    return out
n = 0
for doc in docs:
    text = open(os.path.join(root, doc), encoding="utf-8").read()
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if re.match(r'[a-z]+:', target):
            continue
        n += 1
        path, _, anchor = target.partition('#')
        full = os.path.normpath(os.path.join(root, os.path.dirname(doc), path)) if path else \
            os.path.join(root, doc)
        if not os.path.exists(full):
            print("FAIL %s links to %s, which does not exist" % (doc, target))
        elif anchor and full.endswith(".md") and anchor not in anchors(full):
            print("FAIL %s links to %s: no such heading there" % (doc, target))
print("links %d" % n)
EOF
nlinks=$(sed -n 's/^links //p' "$WORK/links")
grep '^FAIL' "$WORK/links" | sed 's/^FAIL /#   /'
t_eq "$(grep -c '^FAIL' "$WORK/links")" 0 "links of README.md and docs/*.md to the tree that are broken, of $nlinks"
for d in internals storage hostmode testing performance ARCHITECTURE; do
	t_true "README.md links to docs/$d.md" grep -qF "(docs/$d.md" "$SRC_ROOT/README.md"
done

# Definitions are stated where they are used, never by reference to a document the repository
# does not ship.
# The code's comments and strings too (the report's text, the bench's output): every source file
# of the tree, this test excepted since it has to name what it looks for.
grep -rnIiE 'spec\.md|spec §' "$SRC_ROOT/README.md" "$SRC_ROOT/docs" "$MAN" "$SRC_ROOT/bpf" \
	"$SRC_ROOT/user" "$SRC_ROOT/rrd" "$SRC_ROOT/tools" "$SRC_ROOT/tests" "$SRC_ROOT/dist" \
	"$SRC_ROOT/Makefile" "$SRC_ROOT/.ci" | grep -v '^[^:]*/tests/t_docs\.sh:' >"$WORK/spec"
t_eq "$(wc -l <"$WORK/spec")" 0 "lines of the tree (docs, man page, code, tests, tools) that point to SPEC.md"
sed 's/^/#   /' "$WORK/spec" | head
for cmd in "${CMDS[@]}"; do cat "$WORK/$cmd.help"; done | grep -ciE 'spec\.md|spec §' >"$WORK/spec.help"
t_eq "$(cat "$WORK/spec.help")" 0 "lines of the commands' --help that point to SPEC.md"

t_done
