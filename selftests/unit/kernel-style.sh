#!/bin/sh
# Kernel habits, checked on the host: checkpatch (--strict) on every C file
# and header under kernel/ (the module and the mocks) and on the module's
# headers in include/linux and include/uapi (include/bpf is a BPF
# program's header, not kernel code), then sparse (C=2) on the modules
# built against Debian's 6.12 headers. Prints TAP: one line per
# file checkpatch read, one for sparse; each message as a "#" line. Any
# message fails its line: the code stays clean, not "no worse".
#
# Runs from the top of the source tree (tools/vm/check.sh and
# `make check-style` start it there) with the variables make exports from
# build/deps/env.mk: LINUX_SRC (checkpatch), KDIR (the headers), BUILD.
set -u

: "${BUILD:?BUILD is not set (make exports it)}"
: "${LINUX_SRC:?LINUX_SRC is not set (make exports it from build/deps/env.mk)}"
: "${KDIR:?KDIR is not set (make exports it from build/deps/env.mk)}"

top=$(pwd)
if [ ! -f "$top/kernel/Kbuild" ]; then
	echo "Bail out! run from the top of the iofault tree (no kernel/Kbuild)"
	exit 1
fi
checkpatch=$LINUX_SRC/scripts/checkpatch.pl

# Messages that do not apply to a module built outside the kernel tree.
# -f checks files, not patches, so nothing about MAINTAINERS, commit logs
# or sign-offs comes up; SPDX tags and the rest apply as in the tree.
#   LINUX_VERSION_CODE  in the tree, code is for the kernel it is merged
#                       into; this module builds against several released
#                       kernels, and a version test is how it tells them
#                       apart.
IGNORE=LINUX_VERSION_CODE

# Messages that do not apply to one kind of file.
#   trace.h  TRACE_EVENT() is written the way the kernel's own trace
#            headers are (include/trace/events/*.h get the same two
#            messages): each TP_*( opens a line of its own and its body
#            is indented one tab, not under the parenthesis.
#   uapi     BIT() is not part of the user ABI headers: they spell a
#            bit 1U << n.
file_ignore() {
	case $1 in
	kernel/trace.h) echo ",OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT" ;;
	include/uapi/*) echo ",BIT_MACRO" ;;
	esac
}

n=0
failed=0
result() {	# result OK DESCRIPTION [MESSAGES-FILE]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
	[ -n "${3-}" ] && [ -s "$3" ] && sed 's/^/# /' "$3"
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# --- checkpatch ------------------------------------------------------------
if [ ! -f "$checkpatch" ]; then
	result 1 "checkpatch: $checkpatch not found (make deps fetches the source)"
else
	# checkpatch leaves a cache of CamelCase words in its working
	# directory: it runs in $tmp, outside any git tree, and names the
	# files by their path in the tree.
	for f in $({ find kernel -name '*.[ch]' ! -name '*.mod.c'
		     find include/linux include/uapi -name '*.h'; } |
		   LC_ALL=C sort); do
		(cd "$tmp" && GIT_DIR=.git perl "$checkpatch" --strict \
			--no-tree --terse --show-types --no-summary \
			--ignore "$IGNORE$(file_ignore "$f")" -f "$top/$f") \
			>"$tmp/raw" 2>&1
		rc=$?
		sed "s|^$top/||" "$tmp/raw" >"$tmp/out"
		count=$(grep -cE ': (ERROR|WARNING|CHECK):' "$tmp/out")
		# checkpatch exits 1 when it has a message; with none, a non-zero
		# exit is its own failure (a perl error, an unreadable file).
		if [ "$count" -gt 0 ]; then
			[ "$count" -eq 1 ] && what=message || what=messages
			result 1 "checkpatch $f: $count $what" "$tmp/out"
		elif [ "$rc" -ne 0 ]; then
			result 1 "checkpatch $f: exited with $rc" "$tmp/out"
		else
			result 0 "checkpatch $f"
		fi
	done
fi

# --- sparse ----------------------------------------------------------------
# Kbuild writes next to the sources: the modules are built in a mirror of
# kernel/ made of symlinks (as the Makefile's module build does), kept under
# $BUILD so that a second run only re-checks. C=2 checks every file, built
# or not.
mirror=$BUILD/sparse
if ! command -v sparse >/dev/null; then
	result 1 "sparse: not installed (tools/setup.sh installs it)"
elif [ ! -d "$KDIR" ]; then
	result 1 "sparse: no kernel headers at $KDIR (make deps fetches them)"
else
	mkdir -p "$mirror"
	(cd kernel && find . -type d -exec mkdir -p "$mirror/{}" \; &&
		find . -type f -exec ln -sf "$top/kernel/{}" "$mirror/{}" \;)
	# A make of its own: a parent make's job server, whose descriptors
	# a script does not get, would only earn a warning.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		make -C "$KDIR" M="$mirror" IOFAULT_INC="$top/include" C=2 \
		modules >"$tmp/log" 2>&1
	rc=$?
	# Sparse and the compiler speak in "file:line:col: warning: ...";
	# name the sources, not the mirror's links.
	grep -E ': (warning|error):' "$tmp/log" |
		sed "s|$mirror/|kernel/|" >"$tmp/out"
	count=$(wc -l <"$tmp/out")
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "$tmp/log" >>"$tmp/out"
		result 1 "sparse (C=2) on kernel/: the build failed" "$tmp/out"
	elif [ "$count" -gt 0 ]; then
		result 1 "sparse (C=2) on kernel/: $count warnings" "$tmp/out"
	else
		result 0 "sparse (C=2) on kernel/"
	fi
fi

echo "1..$n"
[ "$failed" -eq 0 ]
