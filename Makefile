# iofault: one entry point. `make help` lists the targets.
#
# Everything generated lands in $(BUILD). The user-facing targets first run
# tools/setup.sh (installs what is missing, fetches the guest kernel), then
# re-enter make with the variables it wrote to $(BUILD)/deps/env.mk.

BUILD ?= $(CURDIR)/build
export BUILD

-include $(BUILD)/deps/env.mk
export KREL KDIR VMLINUZ LINUX_SRC LIBBPF_DIR
# The debug guest kernel (KASAN, lockdep, kmemleak, failslab), for check.
-include $(BUILD)/deps/debug-kernel.mk
# Its modules live in a directory named after its cache key: a new kernel
# gets modules built against it.
KMOD_DEBUG = $(BUILD)/kmod-$(notdir $(DEBUG_KDIR))
export DEBUG_KDIR DEBUG_VMLINUZ KMOD_DEBUG

SETUP = sh tools/setup.sh
SUBMAKE = $(MAKE) --no-print-directory

.PHONY: help deps build check demo bench fuzz fuzz-planted clean
help:
	@echo "iofault targets:"
	@echo "  make deps    install packages, fetch the 6.12 guest kernel, build libbpf"
	@echo "  make build   build the module, mock drivers, BPF policies, tools, tests"
	@echo "  make check   run the whole test suite (host tests and the QEMU guest)"
	@echo "  make demo    boot the guest and run a fault storm through a BPF policy"
	@echo "  make bench   run the benchmarks (guest and host), write BENCHMARKS.md"
	@echo "  make check-guest T=GLOB[,GLOB] [K=debug]"
	@echo "               only the guest scripts matching GLOB (e.g. T='70-*'), on"
	@echo "               Debian's kernel or the debug kernel (a developer's loop)"
	@echo "  make fuzz [SECONDS=N] [SEED=S]"
	@echo "               the guest fuzzer on the debug kernel for N seconds"
	@echo "               (default 600), or replaying seed S (make check runs it"
	@echo "               briefly on both kernels)"
	@echo "  make fuzz-planted"
	@echo "               build the module with each planted bug of"
	@echo "               selftests/guest/fuzz/planted/ and show the fuzzer catches it"
	@echo "  make check-style"
	@echo "               checkpatch --strict and sparse on kernel/ (make check"
	@echo "               runs it too, as a host test)"
	@echo "  make clean   remove $(BUILD) except the fetched dependencies"

deps:
	@$(SETUP)

build: deps
	@$(SUBMAKE) all

# The runs go through a sub-make too: only there is env.mk read, and its
# variables exported, on a machine where setup has just written it.
check: deps
	@sh tools/debug-kernel/build.sh
	@$(SUBMAKE) all modules-debug run-check

demo: deps
	@$(SUBMAKE) all run-demo

bench: deps
	@$(SUBMAKE) all bench-build run-bench

# The guest fuzzer alone, longer, on the debug kernel (KASAN, lockdep).
SECONDS ?= 600
fuzz: deps
	@sh tools/debug-kernel/build.sh
	@$(SUBMAKE) all modules-debug run-fuzz

# The fuzzer against bugs planted on purpose: it must catch each.
fuzz-planted: deps
	@$(SUBMAKE) all run-fuzz-planted

# Kernel style alone: what make check runs as the host test kernel-style.
check-style: deps
	@$(SUBMAKE) run-check-style

# A developer's loop: some guest scripts on one kernel.
check-guest: deps
	@$(if $(filter debug,$(K)),sh tools/debug-kernel/build.sh)
	@$(SUBMAKE) all $(if $(filter debug,$(K)),modules-debug) run-check-guest

.PHONY: run-check run-demo run-bench run-check-guest check-guest run-fuzz \
	run-fuzz-planted
.PHONY: check-style run-check-style
run-check-style:
	@sh selftests/unit/kernel-style.sh
run-check-guest:
	@$(if $(filter debug,$(K)),VMLINUZ=$(DEBUG_VMLINUZ) KMOD=$(KMOD_DEBUG)) \
		IOFAULT_RUN=guest-$(or $(K),debian) \
		sh tools/vm/run.sh check iofault.tests=$(T)
run-check:
	@sh tools/vm/check.sh
run-fuzz-planted:
	@sh tools/vm/fuzz-planted.sh
run-fuzz:
	@VMLINUZ=$(DEBUG_VMLINUZ) KMOD=$(KMOD_DEBUG) IOFAULT_RUN=fuzz \
		IOFAULT_VM_TIMEOUT=$$(($(SECONDS) + 900)) \
		sh tools/vm/run.sh check iofault.tests=98-fuzz \
		iofault.test_timeout=$$(($(SECONDS) + 600)) \
		iofault.fuzz_seconds=$(SECONDS) $(if $(SEED),iofault.fuzz_seed=$(SEED))
run-demo:
	@sh tools/vm/run.sh demo
run-bench:
	@sh tools/bench/run.sh

clean:
	rm -rf $(filter-out $(BUILD)/deps,$(wildcard $(BUILD)/*))

# ---------------------------------------------------------------------------
# Internal targets: they need the variables of $(BUILD)/deps/env.mk.

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
USER_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-I$(CURDIR)/include/uapi -I$(LIBBPF_DIR)/include \
	-I$(LINUX_SRC)/tools/include/uapi
# Guest programs run in a busybox initramfs: link them statically.
USER_LDLIBS = -static -L$(LIBBPF_DIR)/lib64 -lbpf -lelf -lz -lzstd

KMOD = $(BUILD)/kmod
KSRC = $(shell find kernel -name '*.[ch]' -o -name Kbuild)
HDRS = $(shell find include -name '*.h')

BPF_SRC = $(wildcard bpf/*.bpf.c)
BPF_OBJ = $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRC))
TPROG_SRC = $(wildcard selftests/guest/progs/*.bpf.c)
TPROG_OBJ = $(patsubst selftests/guest/progs/%.bpf.c,$(BUILD)/selftests/progs/%.bpf.o,$(TPROG_SRC))
TOOL_SRC = $(wildcard tools/iofaultctl/*.c)
GTEST_SRC = $(wildcard selftests/guest/*.c)
GTEST_BIN = $(patsubst selftests/guest/%.c,$(BUILD)/selftests/%,$(GTEST_SRC))
FUZZ_SRC = $(wildcard selftests/guest/fuzz/*.c)

HOST_TESTS = $(BUILD)/selftests/host/tracker_test $(BUILD)/selftests/fuzz/tracker_fuzz \
	$(BUILD)/selftests/host/kernel-style $(BUILD)/selftests/host/doc-links

.PHONY: all modules modules-debug bpftool bench-build
all: modules $(BPF_OBJ) $(TPROG_OBJ) $(BUILD)/tools/iofaultctl $(GTEST_BIN) \
	$(BUILD)/selftests/iofuzz $(HOST_TESTS) bpftool

# bpftool from Debian's 6.12 source, patched for module-defined struct_ops
# types; the script keeps it up to date itself.
bpftool:
	@sh tools/bpftool/build.sh

# Kbuild writes its objects next to the sources, so the module is built in
# a mirror of kernel/ made of symlinks: one for each guest kernel.
define build_modules
	@mkdir -p $(1)
	@cd kernel && find . -type d -exec mkdir -p $(1)/{} \; && \
		find . -type f -exec ln -sf $(CURDIR)/kernel/{} $(1)/{} \;
	$(MAKE) -C $(2) M=$(1) IOFAULT_INC=$(CURDIR)/include modules
	@test -n "$$(readelf -S $(1)/iofault.ko | grep -w .BTF)" || \
		{ echo "error: $(1)/iofault.ko has no BTF (is dwarves installed?)"; exit 1; }
endef

modules: $(KMOD)/iofault.ko
# A module is rebuilt when its kernel is: its BTF is split on that vmlinux.
$(KMOD)/iofault.ko: $(KSRC) $(HDRS) $(KDIR)/vmlinux
	$(call build_modules,$(KMOD),$(KDIR))

modules-debug: $(KMOD_DEBUG)/iofault.ko
$(KMOD_DEBUG)/iofault.ko: $(KSRC) $(HDRS) $(DEBUG_KDIR)/vmlinux
	$(call build_modules,$(KMOD_DEBUG),$(DEBUG_KDIR))

# Policies see the kernel's and the module's types through one generated
# header, dumped from the module's split BTF on top of the guest's vmlinux.
$(BUILD)/bpf/vmlinux.h: $(KMOD)/iofault.ko
	@mkdir -p $(@D)
	$(BPFTOOL) btf dump file $< --base-btf $(KDIR)/vmlinux format c > $@.tmp
	@mv $@.tmp $@

BPF_CFLAGS = -target bpf -g -O2 -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(BUILD)/bpf -I$(CURDIR)/include/bpf -I$(LIBBPF_DIR)/include

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/bpf/vmlinux.h include/bpf/iofault.bpf.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/selftests/progs/%.bpf.o: selftests/guest/progs/%.bpf.c $(BUILD)/bpf/vmlinux.h include/bpf/iofault.bpf.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tools/iofaultctl: $(TOOL_SRC) $(wildcard tools/iofaultctl/*.h) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(TOOL_SRC) -o $@ $(USER_LDLIBS)

$(BUILD)/selftests/%: selftests/guest/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $< -o $@ $(USER_LDLIBS)

# The guest fuzzer: several files, threads.
$(BUILD)/selftests/iofuzz: $(FUZZ_SRC) selftests/guest/fuzz/fuzz.h $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -pthread $(FUZZ_SRC) -o $@ $(USER_LDLIBS)

# The tracker, built for the host against the shim (selftests/unit/shim).
UNIT_CFLAGS = -std=c11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-I$(CURDIR)/selftests/unit/shim -I$(CURDIR)/include -I$(CURDIR)/kernel
TRACKER = kernel/tracker.c kernel/tracker.h include/linux/iofault.h \
	include/uapi/linux/iofault.h $(wildcard selftests/unit/shim/linux/*.h)

$(BUILD)/selftests/host/tracker_test: selftests/unit/tracker_test.c $(TRACKER)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) kernel/tracker.c $< -o $@

$(BUILD)/selftests/fuzz/tracker_fuzz: selftests/unit/tracker_fuzz.c $(TRACKER)
	@mkdir -p $(@D)
	$(CLANG) $(UNIT_CFLAGS) -fsanitize=fuzzer kernel/tracker.c $< -o $@

# Host tests that are scripts: checkpatch and sparse on kernel/, and the
# documentation's links. They run from the source tree with make's
# exported variables (check.sh starts them there).
$(BUILD)/selftests/host/%: selftests/unit/%.sh
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@

# The benchmarks' policies (into the guest) and the tracker instruction
# counter (run on the host under callgrind): built by `make bench` only.
BENCH_PROG_SRC = $(wildcard tools/bench/progs/*.bpf.c)
BENCH_PROG_OBJ = $(patsubst tools/bench/progs/%.bpf.c,$(BUILD)/bench/%.bpf.o,$(BENCH_PROG_SRC))
BENCH_CFLAGS = -std=c11 -g -O2 -Wall -Wextra -Werror \
	-I$(CURDIR)/selftests/unit/shim -I$(CURDIR)/include -I$(CURDIR)/kernel

bench-build: $(BENCH_PROG_OBJ) $(BUILD)/bench/tracker_cost

$(BUILD)/bench/%.bpf.o: tools/bench/progs/%.bpf.c $(BUILD)/bpf/vmlinux.h include/bpf/iofault.bpf.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/tracker_cost: tools/bench/tracker_cost.c $(TRACKER)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) kernel/tracker.c $< -o $@
