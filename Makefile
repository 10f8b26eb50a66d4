# Drover's entry points. Every target installs what it needs: on a host without Qt >= 6.5
# and KF6 KArchive (Debian 12) everything runs inside a cached Debian 13 build root
# (tools/buildroot/root.sh); on Debian 13 it runs natively after installing the packages.
#
#   make run     build and open Drover (ARGS="--data DIR" to pick a data directory)
#   make test    build and run every test, the qemu end-to-end ones and the linters included
#   make demo    the whole story, headless, each step timed
#   make bench   the benchmarks of BENCHMARKS.md
#   make package the Debian 13 package, in build-deb/ (docs/packaging.md)

SHELL := /bin/bash
ROOT_SH := tools/buildroot/root.sh
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
ARGS ?=
# The package's own build directory: configured for /usr, apart from the developers' build.
PKG_BUILD ?= build-deb
CTEST_ARGS ?=

# In the root when the host cannot build natively.
IN := $(shell $(ROOT_SH) needed && echo "$(ROOT_SH) run")
export CCACHE_DIR ?= /var/cache/drover/shared/ccache
# Paths below the source tree hash relative, so every build directory shares the cache.
export CCACHE_BASEDIR ?= $(CURDIR)
# Nor does the build directory's path count (it is only in the debug info's DW_AT_comp_dir).
export CCACHE_NOHASHDIR ?= 1

.PHONY: all deps configure build run test demo bench package translations format tidy tidy-full clean screenshot

all: build

deps:
ifeq ($(IN),)
	@dpkg -s $$(grep -v -e '^#' -e '^$$' tools/buildroot/packages.txt) >/dev/null 2>&1 || { \
	  echo "deps: installing build, test and runtime packages with apt-get"; \
	  apt-get update -qq && apt-get install -y -qq $$(grep -v -e '^#' -e '^$$' tools/buildroot/packages.txt); }
else
	@$(ROOT_SH) ensure >/dev/null
endif

$(BUILD)/build.ninja: CMakeLists.txt | deps
	@mkdir -p $(BUILD)
	$(IN) cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DDROVER_E2E=$(or $(E2E),ON) -DDROVER_FUZZ=$(or $(FUZZ),ON)

configure: deps
	@rm -f $(BUILD)/CMakeCache.txt
	@$(MAKE) --no-print-directory $(BUILD)/build.ninja

build: deps $(BUILD)/build.ninja
	$(IN) cmake --build $(BUILD) -j $(JOBS)

# Through sudo the window runs as the user who called it (tools/run.sh); the build root
# then binds that user's home, where the window keeps its data.
RUN_HOME ?= $(if $(SUDO_UID),$(shell getent passwd $(SUDO_UID) | cut -d: -f6),$(HOME))
run: build
	HOME=$(RUN_HOME) $(IN) env DISPLAY="$${DISPLAY:-}" XAUTHORITY="$${XAUTHORITY:-}" RUN_HOME=$(RUN_HOME) \
	  tools/run.sh $(BUILD) $(ARGS)

test: build
	$(IN) tools/test.sh $(BUILD) -j $(JOBS) $(CTEST_ARGS)

demo: build
	$(IN) tools/demo.sh $(BUILD)

bench: build
	$(IN) tools/bench.sh $(BUILD)

$(PKG_BUILD)/build.ninja: CMakeLists.txt | deps
	@mkdir -p $(PKG_BUILD)
	$(IN) cmake -S . -B $(PKG_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_EXE_LINKER_FLAGS=-Wl,-z,now

# The .deb by CPack from the build (packaging/CMakeLists.txt): only drover, its build helper and the files
# generated for the package are built, then the path of the .deb is printed.
package: deps $(PKG_BUILD)/build.ninja
	$(IN) cmake --build $(PKG_BUILD) -j $(JOBS) --target drover drover-build-helper drover_package_files
	@rm -f $(PKG_BUILD)/drover_*.deb
	$(IN) bash -c 'cd $(PKG_BUILD) && cpack -G DEB >cpack.log || { cat cpack.log; exit 1; }'
	@deb=$$(ls $(CURDIR)/$(PKG_BUILD)/drover_*_amd64.deb) && echo "package: $$deb"

# Refresh translations/*.ts from the sources (then translate the new entries).
translations: build
	$(IN) cmake --build $(BUILD) --target update_translations

format: deps
	$(IN) bash -c 'git ls-files "*.cpp" "*.h" | xargs clang-format -i'

# clang-tidy on the files changed since the last recorded clean pass, then record the pass
# in tests/tidy-clean.txt (commit it: a fresh clone's `make test` then analyses only what
# changed after it). tidy-full analyses every file, ignoring what is recorded.
tidy: build
	$(IN) bash tests/check-tidy.sh $(CURDIR) $(CURDIR)/$(BUILD) --record

tidy-full: build
	$(IN) bash tests/check-tidy.sh $(CURDIR) $(CURDIR)/$(BUILD) --record --full

screenshot: build
	$(IN) tools/screenshot.sh $(BUILD)

clean:
	rm -rf $(BUILD)
