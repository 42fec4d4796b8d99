#!/bin/sh
# Build the guest's initramfs from what the build produced:
#   sh tools/vm/mkinitramfs.sh check|demo|bench  ->  $BUILD/guest/initrd-MODE.gz
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
out=$BUILD/guest/initrd-$mode.gz

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
find . -exec touch -h -d @0 {} +
find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet |
	gzip -n >"$out.tmp"
mv "$out.tmp" "$out"

count() { ls "$root/$1" | wc -l; }
echo "mkinitramfs: $out ($(du -k "$out" | cut -f1) KiB):" \
	"$(count lib/iofault) modules, $(count usr/share/iofault/bpf) policies," \
	"$(count usr/share/iofault/progs) test programs," \
	"$(count usr/lib/iofault/tests) files in tests/"
