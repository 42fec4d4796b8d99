#!/bin/sh
# Install and fetch everything iofault needs on Debian 12 (bookworm), from
# Debian's mirror only. Idempotent: a second run checks and returns quickly.
#
# Outputs, all under $BUILD/deps (default build/deps):
#   kernel-$KREL/       the guest kernel image and its headers, extracted
#                       (never installed on the host)
#   linux-source-$VER/  Debian's 6.12 source of the same version
#   libbpf/             static libbpf built from that source
#   env.mk              make variables naming all of the above
set -eu

BUILD=${BUILD:-$(pwd)/build}
DEPS=$BUILD/deps
# Trees that share one deps directory (a link to it) write the same paths.
mkdir -p "$DEPS"
DEPS=$(cd "$DEPS" && pwd -P)
FLAVOUR=${IOFAULT_KFLAVOUR:-cloud-amd64}
export DEBIAN_FRONTEND=noninteractive

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (installs Debian packages)"
command -v apt-get >/dev/null || die "needs Debian 12 (apt-get not found)"

# --- Debian packages -------------------------------------------------------
PKGS="make gcc libc6-dev clang llvm libclang-rt-14-dev dwarves libelf-dev zlib1g-dev libzstd-dev
libcap-dev qemu-system-x86 busybox-static cpio xz-utils bc flex bison
libssl-dev git python3 valgrind gnuplot-nox bpftrace sparse"

BACKPORTS=/etc/apt/sources.list.d/iofault-bookworm-backports.list
updated=
apt_update() {
	[ -n "$updated" ] && return 0
	say "apt-get update"
	apt-get update -q >/dev/null
	updated=1
}

if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	say "adding bookworm-backports to apt sources"
	echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$BACKPORTS"
	apt_update
fi

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt_update
	say "installing:$missing"
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

# bpftool >= 7.5 comes from bookworm-backports (bookworm has 7.1). Only
# bpftool is taken from there: -t would pull every package on the line.
bpftool_ok() {
	v=$(bpftool version 2>/dev/null | sed -n 's/^bpftool v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
	[ -n "$v" ] && set -- $v && { [ "$1" -gt 7 ] || { [ "$1" -eq 7 ] && [ "$2" -ge 5 ]; }; }
}
if ! bpftool_ok; then
	apt_update
	say "installing bpftool from bookworm-backports"
	apt-get install -y -q --no-install-recommends -t bookworm-backports bpftool >/dev/null
	bpftool_ok || die "bpftool >= 7.5 not available from bookworm-backports"
fi

# --- guest kernel: resolve the current 6.12 release of the flavour ----------
resolve_kernel() {
	apt-cache depends "linux-image-6.12-$FLAVOUR" 2>/dev/null |
		sed -n "s/^ *Depends: linux-image-\(6\.12\..*-$FLAVOUR\)$/\1/p" | head -n1
}
KREL=$(resolve_kernel)
if [ -z "$KREL" ]; then
	apt_update
	KREL=$(resolve_kernel)
fi
[ -n "$KREL" ] || die "cannot resolve linux-image-6.12-$FLAVOUR in the apt sources"
KBASE=${KREL%-"$FLAVOUR"}
KPKGVER=$(apt-cache show "linux-image-$KREL" | sed -n 's/^Version: //p' | head -n1)

KROOT=$DEPS/kernel-$KREL
KDIR=$KROOT/usr/src/linux-headers-$KREL
if [ ! -f "$KROOT/.done" ]; then
	say "fetching kernel $KREL ($KPKGVER)"
	rm -rf "$KROOT" "$DEPS/debs"
	mkdir -p "$DEPS/debs" "$KROOT"
	(cd "$DEPS/debs" && apt-get download -q "linux-image-$KREL" \
		"linux-headers-$KREL" "linux-headers-$KBASE-common" \
		"linux-kbuild-$KBASE" >/dev/null 2>&1) ||
		die "cannot download the packages of kernel $KREL"
	for deb in "$DEPS"/debs/*.deb; do
		dpkg-deb -x "$deb" "$KROOT"
	done
	# The headers' Makefile includes the common tree by absolute path.
	sed -i "s|^include /usr/src/|include $KROOT/usr/src/|" "$KDIR/Makefile"
	[ -f "$KDIR/vmlinux" ] || die "headers for $KREL carry no vmlinux (BTF base)"
	rm -rf "$DEPS/debs"
	touch "$KROOT/.done"
fi

# --- Debian's 6.12 source of the same version: libbpf (and later bpftool) ---
SRCVER=$(apt-cache show linux-source-6.12 | awk -v v="$KPKGVER" '/^Version: /{ if ($2 == v) print $2 }' | head -n1)
[ -n "$SRCVER" ] || die "linux-source-6.12 $KPKGVER not in the apt sources"
# The directory name avoids "~" and "+": kbuild and make dislike them.
LSRC=$DEPS/linux-source-$(echo "$SRCVER" | tr "~+" "__")
if [ ! -f "$LSRC/.done" ]; then
	say "fetching linux-source-6.12 $SRCVER"
	rm -rf "$LSRC" "$DEPS/src-deb"
	mkdir -p "$DEPS/src-deb" "$LSRC"
	(cd "$DEPS/src-deb" && apt-get download -q "linux-source-6.12=$SRCVER" >/dev/null 2>&1) ||
		die "cannot download linux-source-6.12 $SRCVER"
	dpkg-deb --fsys-tarfile "$DEPS"/src-deb/*.deb |
		tar -xO --wildcards '*/linux-source-6.12.tar.xz' |
		tar -xJ -C "$LSRC" --strip-components=1
	rm -rf "$DEPS/src-deb"
	touch "$LSRC/.done"
fi

LIBBPF=$DEPS/libbpf
if [ ! -f "$LIBBPF/.done-$SRCVER" ]; then
	say "building static libbpf from linux-source $SRCVER"
	rm -rf "$LIBBPF"
	make -s -C "$LSRC/tools/lib/bpf" -j"$(nproc)" BUILD_STATIC_ONLY=1 \
		OBJDIR="$LIBBPF/obj" DESTDIR="$LIBBPF" prefix= \
		install >/dev/null
	touch "$LIBBPF/.done-$SRCVER"
fi

cat > "$DEPS/env.mk.tmp" <<EOT
# Written by tools/setup.sh; do not edit.
KREL := $KREL
KDIR := $KDIR
VMLINUZ := $KROOT/boot/vmlinuz-$KREL
LINUX_SRC := $LSRC
LIBBPF_DIR := $LIBBPF
EOT
if ! cmp -s "$DEPS/env.mk.tmp" "$DEPS/env.mk" 2>/dev/null; then
	mv "$DEPS/env.mk.tmp" "$DEPS/env.mk"
else
	rm -f "$DEPS/env.mk.tmp"
fi
say "ready: kernel $KREL, $(bpftool version | head -n1), libbpf from $SRCVER"
