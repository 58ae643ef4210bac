# scoresim: the two commands a user needs, and the steps behind them.
#   make demo   install what is missing (Debian, as root), build, run the seed scenario
#   make test   install, build (release and ASan+UBSan), run every test with ctest, a short
#               run of each fuzzer (fuzz/), lint
# Everything else is a step of those two, callable on its own.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# make fuzz: seconds per harness; make test runs each for FUZZ_SMOKE_SECONDS.
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 8
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

# Debian packages the build, the tests and the linters need. Node.js and npm
# build the report's charts (report/); chromium runs the report's browser test;
# python3 runs scripts/check-includes.py (lint, tests/cli_includes.sh).
# clang, its runtime (libFuzzer, the sanitizers: not pulled in without
# recommends) and its OpenMP build the fuzzers (fuzz/).
# npm only if missing: NodeSource's nodejs package carries its own npm.
DEPS := build-essential cmake pkg-config libyaml-dev libsqlite3-dev libgsl-dev zlib1g-dev libcmocka-dev sqlite3 \
        clang-format clang-tidy cppcheck nodejs chromium python3 \
        clang libclang-rt-14-dev libomp-dev
DEPS += $(if $(shell command -v npm),,npm)

.PHONY: all deps build build-asan build-fuzz demo test test-release test-asan test-fuzz fuzz lint \
        format docs bench clean

all: build

deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	  { echo "could not install:$$missing (run as root, or install them by hand)"; exit 1; }; \
	fi

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSCORESIM_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

demo: build
	@./$(BUILD)/scoresim run

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Sanitizer build: the whole suite again under ASan (leaks included) and UBSan.
test-asan: build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SCORESIM_SANITIZED=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900

# The libFuzzer harnesses (fuzz/README.md), in their own build with clang.
build-fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCORESIM_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Each harness for FUZZ_SECONDS, one after the other (one core).
fuzz: build-fuzz
	./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# A short run of each, so that the harnesses keep building and the
# corpus (regression inputs included) keeps passing.
test-fuzz: build-fuzz
	./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS)

test: test-release test-asan test-fuzz lint

SOURCES = $(wildcard src/*/*.c src/*/*.h include/*.h tests/*.c tests/*.h bench/*.c fuzz/*.c fuzz/*.h)

lint: build
	@echo "clang-format: checking $(words $(SOURCES)) files"
	@clang-format --dry-run -Werror $(SOURCES)
	@echo "cppcheck"
	@# invalidPointerCast: the parameter table addresses fields by offsetof,
	@# then reads them with their declared type; that is the design.
	@cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
	  --inline-suppr --suppress=missingIncludeSystem --suppress=invalidPointerCast \
	  -Iinclude -Isrc src
	@# clang-tidy exits 0 on warnings, so both count: a warning or error line,
	@# or a non-zero exit (no compilation database, a crash, not installed).
	@echo "clang-tidy"
	@out=$$(mktemp) && trap 'rm -f "$$out"' EXIT && \
	clang-tidy --quiet -p $(BUILD) $(wildcard src/*/*.c) >"$$out" 2>&1; rc=$$?; \
	if [ $$rc -ne 0 ] || grep -qE "(warning|error):" "$$out"; then \
	  cat "$$out"; echo "clang-tidy found problems (exit status $$rc)"; exit 1; \
	fi
	@# The architecture: layer order, private headers, no include cycles.
	@python3 scripts/check-includes.py
	@echo "lint: clean"

format:
	clang-format -i $(SOURCES)

# Regenerate the reference docs from the tables they describe.
docs: build
	./$(BUILD)/scoresim scenario --markdown > docs/scenario.md
	./$(BUILD)/scoresim metrics --markdown > docs/metrics.md
	./$(BUILD)/scoresim scenario > scenarios/seed.yaml

bench: build
	./bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
