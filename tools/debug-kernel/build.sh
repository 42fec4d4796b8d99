#!/bin/sh
# Build the debug guest kernel (KASAN, lockdep, kmemleak, failslab, BTF)
# from Debian's 6.12 source: `make tinyconfig`, plus debug.config, then
# `make bzImage modules`. 8 minutes on 2 idle cores, once: the result is
# cached under a key, and a second run with the same key returns at once.
#
# Inputs: LINUX_SRC and BUILD from the environment (the top Makefile exports
# both), else LINUX_SRC from $BUILD/deps/env.mk (written by tools/setup.sh).
# Outputs:
#   $BUILD/deps/debug-kernel-KEY/   the kernel's O= tree: bzImage, vmlinux,
#                                   Module.symvers; build.log is its log
#   $BUILD/deps/debug-kernel.mk     DEBUG_KDIR and DEBUG_VMLINUZ for make
# Out-of-tree modules build against it with `make -C $DEBUG_KDIR M=DIR`.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-$(cd "$HERE/../.." && pwd)/build}
DEPS=$(cd "$BUILD/deps" 2>/dev/null && pwd -P) ||
	{ echo "debug-kernel: error: no $BUILD/deps: run sh tools/setup.sh first" >&2; exit 1; }
FRAGMENT=$HERE/debug.config
# The make goals: `modules` writes Module.symvers, which out-of-tree module
# builds need (there are no in-tree modules to build).
GOALS="bzImage modules"

say() { printf 'debug-kernel: %s\n' "$*"; }
die() { printf 'debug-kernel: error: %s\n' "$*" >&2; exit 1; }

if [ -z "${LINUX_SRC-}" ] && [ -f "$DEPS/env.mk" ]; then
	LINUX_SRC=$(sed -n 's/^LINUX_SRC := //p' "$DEPS/env.mk")
fi
[ -n "${LINUX_SRC-}" ] || die "LINUX_SRC is unknown: run sh tools/setup.sh first"
[ -f "$LINUX_SRC/Makefile" ] || die "$LINUX_SRC holds no kernel source"
# Its physical path: the same for every tree that links to one deps.
LINUX_SRC=$(cd "$LINUX_SRC" && pwd -P)
for tool in gcc pahole sha256sum; do
	command -v $tool >/dev/null || die "$tool is missing: run sh tools/setup.sh"
done

# The key: the source's directory name (setup.sh names it after Debian's
# package version, e.g. linux-source-6.12.117-1_deb12u1), and a hash of all
# else that changes the kernel: the fragment's settings (not its comments),
# the make goals, the compiler, pahole (it writes the BTF) and the source's
# path (the O= tree refers to its source by absolute path).
SRCNAME=$(basename "$LINUX_SRC" | sed 's/^linux-source-//; s/[^A-Za-z0-9._-]/_/g')
HASH=$({
	grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set$)' "$FRAGMENT"
	echo "goals: $GOALS"
	echo "gcc: $(gcc -dumpfullversion)"
	echo "pahole: $(pahole --version)"
	echo "source: $LINUX_SRC"
} | sha256sum | cut -c1-12)
KEY=$SRCNAME-$HASH
O=$DEPS/debug-kernel-$KEY
LOG=$O/build.log
STAMP=$O/.built

# Make variables of a calling make (the top Makefile) must not reach the
# kernel's: its -j and jobserver, or a variable given on its command line.
unset MAKEFLAGS MFLAGS MAKELEVEL

kmake() {
	make -C "$LINUX_SRC" O="$O" "$@" >>"$LOG" 2>&1 || {
		tail -n 30 "$LOG" >&2
		die "make $* failed; whole log: $LOG"
	}
}

# Kconfig drops without a word what it cannot satisfy (a missing dependency,
# a select from elsewhere): every line of the fragment must hold as written.
verify_config() {
	bad=
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*}
			grep -qxF "$line" "$O/.config" && continue
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			grep -q "^$sym=" "$O/.config" || continue
			;;
		*) continue ;;
		esac
		got=$(grep -E "^(# )?${sym}[= ]" "$O/.config" || echo "not in .config (its dependencies are not met)")
		bad="$bad
  wanted: $line
     got: $got"
	done <"$FRAGMENT"
	[ -z "$bad" ] && return 0
	printf 'debug-kernel: error: options of %s did not take effect:%s\n' \
		"$FRAGMENT" "$bad" >&2
	die "fix their dependencies in the fragment (see $O/.config)"
}

if [ ! -f "$STAMP" ]; then
	start=$(date +%s)
	mkdir -p "$O"
	echo "=== $(date '+%F %T') build.sh, key $KEY" >>"$LOG"
	say "configuring $O (tinyconfig + $(basename "$FRAGMENT"))"
	kmake tinyconfig
	"$LINUX_SRC/scripts/kconfig/merge_config.sh" -m -O "$O" \
		"$O/.config" "$FRAGMENT" >>"$LOG" 2>&1 ||
		die "merge_config.sh failed; log: $LOG"
	kmake olddefconfig
	verify_config
	# A build interrupted earlier resumes here: the same .config changes
	# nothing, so make only compiles what is left.
	ncpu=$(nproc)
	say "building $GOALS with make -j$ncpu (8 min on 2 idle cores); log: $LOG"
	# shellcheck disable=SC2086 # GOALS is a list of words
	kmake -j"$ncpu" $GOALS
	elapsed=$(($(date +%s) - start))
	printf 'key %s\nbuilt in %d s\n' "$KEY" "$elapsed" >"$STAMP"
	say "built in $((elapsed / 60)) min $((elapsed % 60)) s"
	# Only the current key is ever used again: drop the trees of others.
	for old in "$DEPS"/debug-kernel-*/; do
		if [ -d "$old" ] && [ "$old" != "$O/" ]; then
			rm -rf "$old"
		fi
	done
fi

# Rewritten only when it changes, so make sees no new timestamp.
cat >"$DEPS/debug-kernel.mk.tmp" <<EOT
# Written by tools/debug-kernel/build.sh; do not edit.
DEBUG_KDIR := $O
DEBUG_VMLINUZ := $O/arch/x86/boot/bzImage
EOT
if cmp -s "$DEPS/debug-kernel.mk.tmp" "$DEPS/debug-kernel.mk"; then
	rm -f "$DEPS/debug-kernel.mk.tmp"
else
	mv "$DEPS/debug-kernel.mk.tmp" "$DEPS/debug-kernel.mk"
fi

say "kernel:   $O/arch/x86/boot/bzImage"
say "modules:  make -C $O M=DIR modules"
say "make:     include $DEPS/debug-kernel.mk"
