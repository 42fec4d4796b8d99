#!/bin/sh
# Build the guest's initramfs from what the build produced:
#   sh tools/vm/mkinitramfs.sh check|demo|bench  ->  $BUILD/guest/initrd-MODE.img
# It is rebuilt from scratch on every call (about a second). The mode only
# names the image, so that runs of different modes never share one; the guest
# reads its mode from the kernel command line.
#
# Guest layout:
#   /init                        tools/vm/init
#   /lib/iofault/*.ko            $KMOD/*.ko and $KMOD/mock/*.ko, where KMOD
#                                is the kbuild output for the guest's kernel
#                                (default $BUILD/kmod)
#   /usr/share/iofault/bpf/      $BUILD/bpf/*.bpf.o (policies)
#   /usr/share/iofault/progs/    $BUILD/selftests/progs/*.bpf.o (test programs)
#   /usr/share/iofault/bench/    $BUILD/bench/*.bpf.o (tools/bench/progs)
#   /usr/bin/iofaultctl          $BUILD/tools/iofaultctl
#   /usr/sbin/bpftool            $BUILD/tools/bpftool (patched, static)
#   /usr/lib/iofault/tests/      selftests/guest/*.sh (run-tests.sh, the
#                                NN-name.sh scripts, lib.sh and other shared
#                                helpers) and the executable files of
#                                $BUILD/selftests (static test helpers)
#   /usr/lib/iofault/demo.sh     tools/vm/demo-guest.sh
#   /usr/lib/iofault/bench.sh    tools/vm/bench-guest.sh
#   /usr/lib/iofault/bench-core.sh  tools/vm/bench-core-guest.sh
#   /usr/bin/bpftrace            check mode only, when the host has it: the
#                                host's bpftrace and its shared libraries
#                                at their host paths (see below), and
#   /usr/lib/iofault/bpftrace.version   what it says to --version
#   busybox (static) with one link per applet, root and nobody users, /tmp.
set -eu

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }

: "${BUILD:?BUILD is not set (make exports it)}"
mode=${1-}
case $mode in
check | demo | bench) ;;
*) die "usage: $0 check|demo|bench" ;;
esac

top=$(cd "$(dirname "$0")/../.." && pwd)
busybox=/bin/busybox
kmod=${KMOD:-$BUILD/kmod}
root=$BUILD/guest/root-$mode
out=$BUILD/guest/initrd-$mode.img

# The guest has no dynamic loader or shared libraries.
need_static() {
	if readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'; then
		die "$1 is dynamically linked; the guest needs static executables"
	fi
}

# put DIR FILE...: copy the FILEs that exist into guest directory DIR
# (missing inputs are fine: not every part is built yet, or in every tree).
put() {
	dir=$root/$1
	shift
	for f in "$@"; do
		[ -f "$f" ] && cp "$f" "$dir/"
	done
	return 0
}

[ -x "$busybox" ] || die "$busybox not found (install busybox-static)"
need_static "$busybox"

rm -rf "$root"
mkdir -p "$root"
cd "$root"
mkdir -p bin sbin usr/bin usr/sbin dev proc sys tmp root etc \
	lib/iofault usr/lib/iofault/tests usr/share/iofault/bpf \
	usr/share/iofault/progs usr/share/iofault/bench
chmod 1777 tmp

cp "$busybox" bin/busybox
for applet in $("$busybox" --list-full); do
	[ -e "$applet" ] || ln -s /bin/busybox "$applet"
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
	'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >etc/passwd
printf '%s\n' 'root:x:0:' 'nobody:x:65534:' >etc/group

cp "$top/tools/vm/init" init
chmod 755 init

put lib/iofault "$kmod"/*.ko "$kmod"/mock/*.ko
put usr/share/iofault/bpf "$BUILD"/bpf/*.bpf.o
put usr/share/iofault/progs "$BUILD"/selftests/progs/*.bpf.o
put usr/share/iofault/bench "$BUILD"/bench/*.bpf.o
put usr/lib/iofault/tests "$top"/selftests/guest/*.sh
for f in "$BUILD"/selftests/*; do
	if [ -f "$f" ] && [ -x "$f" ]; then
		need_static "$f"
		put usr/lib/iofault/tests "$f"
	fi
done
for tool in usr/bin/iofaultctl usr/sbin/bpftool; do
	if [ -f "$BUILD/tools/${tool##*/}" ]; then
		need_static "$BUILD/tools/${tool##*/}"
		put "${tool%/*}" "$BUILD/tools/${tool##*/}"
	fi
done
[ -f "$top/tools/vm/demo-guest.sh" ] && cp "$top/tools/vm/demo-guest.sh" usr/lib/iofault/demo.sh
[ -f "$top/tools/vm/bench-guest.sh" ] && cp "$top/tools/vm/bench-guest.sh" usr/lib/iofault/bench.sh
[ -f "$top/tools/vm/bench-core-guest.sh" ] && cp "$top/tools/vm/bench-core-guest.sh" usr/lib/iofault/bench-core.sh

# Same inputs, same image: fixed times, owners and inode numbers, sorted.
# archive: the cpio archive of the current directory, on stdout.
archive() {
	find . -exec touch -h -d @0 {} +
	find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet
}

# bpftrace_archive: make $bt_cpio, an archive of bpftrace, the shared
# libraries ldd names for it and the dynamic loader, each at its path on
# the host, unless the one there already holds the same files.
bpftrace_archive() {
	files=$( { echo "$bt"; ldd "$bt"; } | awk '
		$2 == "=>" && $3 ~ /^\// { print $3; next }
		$1 ~ /^\// { print $1 }' | LC_ALL=C sort -u)
	stamp=$(LC_ALL=C ls -lL $files) || return 1
	if [ -f "$bt_cpio" ] && [ "$stamp" = "$(cat "$bt_cpio.stamp" 2>/dev/null)" ]; then
		return 0
	fi
	stage=$BUILD/guest/bpftrace-root
	rm -rf "$stage" "$bt_cpio.stamp"
	for f in $files; do
		mkdir -p "$stage${f%/*}"
		cp -L "$f" "$stage$f"
	done
	(cd "$stage" && archive) >"$bt_cpio.tmp" || return 1
	rm -rf "$stage"
	mv "$bt_cpio.tmp" "$bt_cpio"
	echo "$stamp" >"$bt_cpio.stamp"
}

# bpftrace, for the check mode's 91-bpftrace test, when the build host has
# it (tools/setup.sh installs Debian's). It is dynamically linked and its
# libraries (LLVM, clang, z3...) come to about 200 MB, so they go in a
# second archive, uncompressed (the guest copies it faster than it
# decompresses it), appended to the first; it is built once and kept.
# bpftrace.version in the first archive tells the test to expect bpftrace.
bt=
bt_cpio=$BUILD/guest/bpftrace.cpio
if [ "$mode" = check ] && bt=$(command -v bpftrace); then
	bpftrace_archive || die "cannot make $bt_cpio"
	"$bt" --version >usr/lib/iofault/bpftrace.version ||
		die "$bt --version failed"
fi

archive | gzip -n >"$out.tmp"
if [ -n "$bt" ]; then
	# The kernel takes an uncompressed archive only at an offset that
	# is a multiple of 4; it skips the zeros before it.
	size=$(stat -c %s "$out.tmp")
	head -c $(((4 - size % 4) % 4)) /dev/zero >>"$out.tmp"
	cat "$bt_cpio" >>"$out.tmp"
fi
mv "$out.tmp" "$out"

count() { ls "$root/$1" | wc -l; }
echo "mkinitramfs: $out ($(du -k "$out" | cut -f1) KiB):" \
	"$(count lib/iofault) modules, $(count usr/share/iofault/bpf) policies," \
	"$(count usr/share/iofault/progs) test programs," \
	"$(count usr/lib/iofault/tests) files in tests/${bt:+, bpftrace}"
