#!/bin/sh
# Build a static bpftool from Debian's 6.12 source (LINUX_SRC) with
# module-struct-ops.patch applied, as $BUILD/tools/bpftool: bpftool 7.5
# crashes on struct_ops maps whose type a module defines (iofault_ops).
#
# The source tree is never touched: the parts bpftool needs are copied to
# $BUILD/bpftool-src and patched there, objects go to $BUILD/bpftool-obj.
# Both are redone when the patch, this script or LINUX_SRC change; when
# nothing changed the script returns at once.
set -eu

die() { printf 'bpftool: error: %s\n' "$*" >&2; exit 1; }

[ -n "${LINUX_SRC:-}" ] || die "LINUX_SRC is not set (make exports it from build/deps/env.mk)"
[ -n "${BUILD:-}" ] || die "BUILD is not set (make exports it)"
[ -f "$LINUX_SRC/tools/bpf/bpftool/Makefile" ] ||
	die "no tools/bpf/bpftool in LINUX_SRC=$LINUX_SRC"

HERE=$(cd "$(dirname "$0")" && pwd)
PATCH=$HERE/module-struct-ops.patch
SRC=$BUILD/bpftool-src
OBJ=$BUILD/bpftool-obj
BIN=$BUILD/tools/bpftool
# The skeletons bpftool embeds (pids, profiler) are CO-RE: take their types
# from the guest kernel when its headers are there, else from the host.
VMLINUX_BTF=
[ -n "${KDIR:-}" ] && [ -f "$KDIR/vmlinux" ] && VMLINUX_BTF=$KDIR/vmlinux

key=$( { cat "$PATCH" "$HERE/build.sh"; echo "$LINUX_SRC $VMLINUX_BTF"; } |
	sha256sum | cut -c1-16)

if [ -x "$BIN" ] && [ "$(cat "$OBJ/.key" 2>/dev/null)" = "$key" ]; then
	echo "bpftool: $BIN up to date ($("$BIN" version | head -n1))"
	exit 0
fi

start=$(date +%s)
if [ "$(cat "$SRC/.key" 2>/dev/null)" != "$key" ]; then
	rm -rf "$SRC" "$OBJ"
	mkdir -p "$SRC"
	(cd "$LINUX_SRC" && tar cf - Makefile include/uapi/linux \
		kernel/bpf/disasm.c kernel/bpf/disasm.h scripts/bpf_doc.py \
		tools/arch tools/bpf/bpftool tools/build tools/include \
		tools/lib/bpf tools/scripts) | tar xf - -C "$SRC"
	# git apply outside any repository (BUILD may lie inside one).
	(cd "$SRC" && GIT_CEILING_DIRECTORIES=$(dirname "$SRC") \
		git apply -p1 "$PATCH") || die "$PATCH does not apply to $LINUX_SRC"
	echo "$key" > "$SRC/.key"
fi

mkdir -p "$OBJ" "$(dirname "$BIN")"
log=$OBJ/build.log
# No LLVM or libbfd (JIT disassembly): they would not link statically.
if ! env -u BUILD -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -C "$SRC/tools/bpf/bpftool" -j"$(nproc)" OUTPUT="$OBJ/" \
	EXTRA_LDFLAGS=-static BPFTOOL_VERSION=7.5.0+iofault \
	feature-llvm=0 feature-libbfd=0 feature-libbfd-liberty=0 \
	feature-libbfd-liberty-z=0 ${VMLINUX_BTF:+VMLINUX_BTF="$VMLINUX_BTF"} \
	>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "build failed, log in $log"
fi
cp "$OBJ/bpftool" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
echo "$key" > "$OBJ/.key"
echo "bpftool: built $BIN ($("$BIN" version | head -n1), static) in $(( $(date +%s) - start )) s"
