#!/bin/sh
# The documentation stands alone: every relative link of README.md,
# BENCHMARKS.md and docs/*.md names a file inside this tree, and a link's
# #anchor a heading of that file (as GitHub makes anchors: lower case,
# punctuation dropped, spaces made '-'). Prints TAP, one line a file.
# Runs from the top of the source tree, as tools/vm/check.sh starts it.
set -u

top=$(pwd -P)
if [ ! -f "$top/README.md" ] || [ ! -d "$top/kernel" ]; then
	echo "Bail out! run from the top of the iofault tree"
	exit 1
fi

# anchors FILE: the anchor of each heading of FILE, one a line.
anchors() {
	sed -n 's/^#\{1,6\} \{1,\}//p' "$1" |
		tr 'A-Z' 'a-z' | sed 's/[^a-z0-9 _-]//g; s/ /-/g'
}

n=0
failed=0
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

for f in README.md BENCHMARKS.md docs/*.md; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	: >"$tmp"
	dir=$(dirname "$f")
	# Inline links [text](target); code spans hold none of ours.
	for link in $(grep -o '\]([^) ]*)' "$f" | sed 's/^](//; s/)$//'); do
		case $link in
		http://* | https://* | mailto:*) continue ;;
		esac
		path=${link%%#*}
		anchor=
		case $link in *'#'*) anchor=${link#*#} ;; esac
		if [ -z "$path" ]; then
			target=$f
		else
			target=$dir/$path
		fi
		if [ ! -e "$target" ]; then
			echo "$link: no such file" >>"$tmp"
			continue
		fi
		real=$(cd "$(dirname "$target")" && pwd -P)
		case $real/ in
		"$top"/*) ;;
		*) echo "$link: outside the tree" >>"$tmp"; continue ;;
		esac
		if [ -n "$anchor" ] && [ -f "$target" ] &&
			! anchors "$target" | grep -qx -- "$anchor"; then
			echo "$link: no heading for #$anchor" >>"$tmp"
		fi
	done
	if [ -s "$tmp" ]; then
		echo "not ok $n - $f: $(wc -l <"$tmp") broken links"
		sed 's/^/# /' "$tmp"
		failed=$((failed + 1))
	else
		echo "ok $n - $f: links resolve inside the tree"
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
