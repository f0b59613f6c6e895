# lake — build, run, test. `make run` and `make test` install what is missing first.
BUILD ?= release
O := build/$(BUILD)

CC  ?= gcc
CXX ?= g++
WARN := -Wall -Wextra -Werror
BASEFLAGS := -Iinclude -Isrc -D_GNU_SOURCE -pthread -MMD -MP
OPT_release := -O2 -g
OPT_asan := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT_debug := -O0 -g
OPT := $(OPT_$(BUILD))
CFLAGS_ALL := -std=c11 $(WARN) $(BASEFLAGS) $(OPT) $(CFLAGS)
CXXFLAGS_ALL := -std=c++17 $(WARN) $(BASEFLAGS) $(OPT) $(CXXFLAGS)
LDLIBS_ALL := -lsimdjson -lsnappy -lzstd -lz -llz4 -lexpat $(shell pkg-config --libs libpcre2-8) -lm \
              -pthread $(LDLIBS)
LDFLAGS_ALL := $(OPT) $(LDFLAGS)

GIT_HASH := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

LIB_C   := $(shell find src -name '*.c' -not -path 'src/cli/*' | sort)
LIB_CXX := $(shell find src -name '*.cc' | sort)
CLI_C   := $(sort $(wildcard src/cli/*.c))
UNIT_C  := $(sort $(wildcard tests/unit/*.c))

LIB_OBJ  := $(LIB_C:%.c=$(O)/%.o) $(LIB_CXX:%.cc=$(O)/%.o)
CLI_OBJ  := $(CLI_C:%.c=$(O)/%.o)
UNIT_OBJ := $(UNIT_C:%.c=$(O)/%.o)

LAKE := $(O)/lake
UNIT := $(O)/unit-tests
PQRT := $(O)/pq-roundtrip

.PHONY: all build binaries run test deps layers docs unit e2e e2e-s3 e2e-local asan-test \
        valgrind-test fuzz fuzz-build fuzz-replay format format-check clean bench

# Compiles run this many at a time in `make test` (a plain `make` stays serial unless given -j).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

all: build
build: $(LAKE)
# Everything the tests run: lake, the unit tests, the Parquet property-test driver.
binaries: $(LAKE) $(UNIT) $(PQRT)

$(O)/liblake.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	ar rcs $@ $^

$(LAKE): $(CLI_OBJ) $(O)/liblake.a
	$(CXX) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(O)/liblake.a $(LDLIBS_ALL)

$(UNIT): $(UNIT_OBJ) $(O)/liblake.a
	$(CXX) $(LDFLAGS_ALL) -o $@ $(UNIT_OBJ) $(O)/liblake.a $(LDLIBS_ALL)

# Test driver: writes random tables with lake's Parquet writer for the property tests.
$(PQRT): $(O)/tests/tools/pq_roundtrip.o $(O)/liblake.a
	$(CXX) $(LDFLAGS_ALL) -o $@ $< $(O)/liblake.a $(LDLIBS_ALL)

$(O)/src/cli/version.o: CFLAGS_ALL += -DLAKE_BUILD_HASH='"$(GIT_HASH)"'

# The run report's page is built into the library with .incbin, which the compiler's dependency
# files do not list.
$(O)/src/jobs/sparkify/summary_html.o: src/jobs/sparkify/report.html

# Only the MPI communicator sees mpi.h (for the function types); libmpi is loaded at run time
# under mpirun, never linked (src/cluster/comm_mpi.c).
$(O)/src/cluster/comm_mpi.o: CFLAGS_ALL += $(shell pkg-config --cflags ompi-c)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(O)/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS_ALL) -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(O)/tests/tools/pq_roundtrip.d

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory build
	$(LAKE) run --input data/sample --output lake-output

unit: $(UNIT)
	$(UNIT)

# The e2e files run in two lanes side by side: the S3 suites, which mostly wait (retry backoffs,
# timeouts, injected delays, latency), two files at a time; all others, which mostly compute, one
# at a time. Every file has its own temporary directories and its own s3rver on a free port.
# Output comes lane by lane (-O), each when its lane is done.
E2E_FILES := $(sort $(wildcard tests/e2e/*.test.mjs))
E2E_S3 := $(filter tests/e2e/s3%,$(E2E_FILES))
E2E_LOCAL := $(filter-out $(E2E_S3),$(E2E_FILES))
E2E_RUN = LAKE_BIN=$(abspath $(LAKE)) PQ_ROUNDTRIP_BIN=$(abspath $(PQRT)) node --test

e2e: $(LAKE) $(PQRT) $(UNIT)
	@$(MAKE) --no-print-directory -j2 -O e2e-s3 e2e-local
e2e-s3:
	$(E2E_RUN) --test-concurrency=2 $(E2E_S3)
e2e-local:
	$(E2E_RUN) --test-concurrency=1 $(E2E_LOCAL)

# Which folder may include which: scripts/layers.txt, explained in docs/architecture.md.
layers:
	node scripts/check_layers.mjs src include

# API documentation of include/lake/*.h (docs/Doxyfile): build/docs/html/index.html. An
# undocumented public declaration fails it.
docs:
	@command -v doxygen >/dev/null || { echo "make docs: needs doxygen (Debian package doxygen; make deps installs it)" >&2; exit 1; }
	rm -rf build/docs && mkdir -p build/docs
	doxygen docs/Doxyfile
	@echo "make docs: build/docs/html/index.html"

# Builds run $(JOBS) compiles at a time; the fuzz targets are built while valgrind runs (neither
# is timed), and the timed fuzz searches then get the cores to themselves.
test: deps
	@$(MAKE) --no-print-directory layers
	@$(MAKE) --no-print-directory docs
	@$(MAKE) --no-print-directory -j$(JOBS) binaries
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory asan-test
	@$(MAKE) --no-print-directory -j2 -O valgrind-test fuzz-build
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory format-check
	@echo "make test: all suites passed"

asan-test:
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=asan binaries
	@$(MAKE) --no-print-directory BUILD=asan unit e2e

valgrind-test: $(LAKE) $(UNIT)
	tests/valgrind.sh $(abspath $(LAKE)) $(abspath $(UNIT))

# Fuzz targets: a short replay in `make test`, a long search in `make fuzz` (FUZZ_SECONDS each).
FUZZ_SECONDS ?= 300
fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)
fuzz-build:
	tests/fuzz/run.sh build
fuzz-replay:
	tests/fuzz/run.sh 15

FORMAT_FILES = $(shell find src include tests/unit tests/fuzz tests/tools bench -name '*.c' -o -name '*.h' -o -name '*.cc' | sort)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

# Benchmarks against DuckDB (never part of make test): see bench/run.sh for BENCH_* settings.
bench: deps
	bench/run.sh

clean:
	rm -rf build lake-output

# ---- Deploy: make deploy / submit / destroy (AWS) and make cluster-up / cluster-submit /
# cluster-down (local namespaces). Kept in deploy/deploy.mk; docs/deploy.md.
include deploy/deploy.mk
