# Front door to the Meson build.  `make` builds, `make check` runs every
# test (installing what it needs first), `make install PREFIX=DIR`.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PREFIX     ?= /usr/local
FUZZ_SECONDS ?= 60
PYTEST     ?= /usr/bin/python3 -m pytest

.PHONY: all deps check unit unit-asan system fuzz fuzz-smoke install clean demo bench \
	bench-build bench-rib bench-fib

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	@scripts/install-deps
	meson setup $(BUILD)

# The sanitizer build uses clang, so the unit tests are compiled by both
# compilers with warnings as errors (gcc in $(BUILD)).
$(ASAN_BUILD)/build.ninja:
	CC=clang meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

unit: all
	meson test -C $(BUILD) --suite unit --print-errorlogs

unit-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(ASAN_BUILD) --suite unit --print-errorlogs

system: all
	@if [ "$$(id -u)" -ne 0 ]; then \
		echo "system tests need root (network namespaces); skipped"; \
	else \
		EGRESS_BUILD=$(abspath $(BUILD)) $(PYTEST) -q tests/system; \
	fi

fuzz: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	tests/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=20

check: deps unit unit-asan fuzz-smoke system

install: all
	meson configure $(BUILD) -Dprefix=$(abspath $(PREFIX))
	meson install -C $(BUILD)

# The namespace lab (issue 6): up, every scenario, the report, down.
# Needs root; ROUTERS=N, PERSONALITY=aws-vgw|aws-tgw, MODE=ecmp pass
# through to lab/egress-lab.  Results stay in lab/out/.
demo: all
	@if [ "$$(id -u)" -ne 0 ]; then \
		echo "make demo needs root (it builds network namespaces); run it with sudo."; \
		exit 1; \
	fi
	EGRESS_BUILD=$(abspath $(BUILD)) lab/egress-lab demo

# Side-by-side benchmarks; never part of `make check`.  Need root for
# the namespaces.  `make bench` runs both parts, `make bench-rib` the
# routing core's (issue 3), `make bench-fib` the kernel FIB's (issue 4).
# Shared: PREFIXES sizes the synthetic table (default 1000000), MRT=FILE
# replays a real one instead, RUNS runs per daemon (default 3, medians
# reported).  bench-rib: DAEMONS a comma list, FEEDERS peers feeding
# the table (1-4, default 1), IDLE on|off (an idle peer that records
# the daemon's keepalive gaps, egressd and bird; default on).  bench-fib: FIB_PARTS
# (install,failover), FIB_DAEMONS (install: egressd,bird,fib_table),
# FIB_FAILOVER (probe-group,probe-inline,egressd,bird), FIB_SCENARIOS
# (EVENT/MODE list for egressd and bird, default
# link/ecmp,session/ecmp,link/backup,session/backup), DSTS (destinations the
# failover traffic goes to, default 100), FIB_ORDER (table: ascending by
# address, the default; sets: attribute sets shuffled).
bench: bench-rib bench-fib

bench-build:
	@if [ "$$(id -u)" -ne 0 ]; then \
		echo "make bench needs root (network namespaces)"; exit 1; \
	fi
	@[ -f build-bench/build.ninja ] || meson setup build-bench \
		-Dbench=true -Dtests=false -Dbuildtype=release
	meson configure build-bench -Dbench=true
	ninja -C build-bench

bench-rib: bench-build
	/usr/bin/python3 bench/run.py --build build-bench \
		--prefixes $(or $(PREFIXES),1000000) --runs $(or $(RUNS),3) \
		$(if $(DAEMONS),--daemons $(DAEMONS)) $(if $(MRT),--mrt $(MRT)) \
		$(if $(FEEDERS),--feeders $(FEEDERS)) $(if $(IDLE),--idle $(IDLE))

bench-fib: bench-build
	/usr/bin/python3 bench/fib_run.py --build build-bench \
		--prefixes $(or $(PREFIXES),1000000) --runs $(or $(RUNS),3) \
		$(if $(MRT),--mrt $(MRT)) $(if $(FIB_PARTS),--parts $(FIB_PARTS)) \
		$(if $(FIB_DAEMONS),--daemons $(FIB_DAEMONS)) \
		$(if $(FIB_FAILOVER),--failover-daemons $(FIB_FAILOVER)) \
		$(if $(FIB_SCENARIOS),--scenarios $(FIB_SCENARIOS)) \
		$(if $(DSTS),--dsts $(DSTS)) $(if $(FIB_ORDER),--order $(FIB_ORDER))

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
