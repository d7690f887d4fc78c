# A thin wrapper over meson for the commands people type. See README.md.
#
#   make run     install what is missing, build, open the till on the demo store
#   make check   install what is missing, build with ASan+UBSan, run every test
#   make bench   build optimised and print the benchmark figures
#   make deb     build the Debian packages

BUILD       ?= build
CHECK_BUILD ?= build-check
BENCH_BUILD ?= build-bench
MESON_TEST_ARGS ?=

# Debian 12 packages the build, the tests and the demo need.
DEPS = build-essential meson ninja-build pkg-config gettext \
       libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev \
       libsqlite3-dev libssl-dev libqrencode-dev libcairo2-dev libpango1.0-dev \
       libsoup-3.0-dev libjson-glib-dev glib-networking openssl libpq-dev postgresql \
       libxlsxwriter-dev libminizip-dev python3-openpyxl poppler-utils \
       libusb-1.0-0-dev libserialport-dev libcups2-dev cups cups-daemon cups-client libzbar-dev \
       check fonts-noto-cjk xvfb xauth dbus-daemon clang-format \
       desktop-file-utils appstream python3

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: all deps build run check bench deb format format-check clean

all: build

deps:
	@missing=""; \
	for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The demo keeps its database, key and receipt PNGs under ~/.local/share/opentill.
run: build
	OPENTILL_LOCALEDIR=$(CURDIR)/$(BUILD)/po $(BUILD)/src/app/opentill --demo --windowed

$(CHECK_BUILD)/build.ninja:
	meson setup $(CHECK_BUILD) -Db_sanitize=address,undefined -Db_lundef=false

check: deps $(CHECK_BUILD)/build.ninja format-check
	ninja -C $(CHECK_BUILD)
	rm -rf $(CHECK_BUILD)/test-output
	@status=0; \
	$(XVFB) dbus-run-session -- meson test -C $(CHECK_BUILD) --print-errorlogs $(MESON_TEST_ARGS) || status=$$?; \
	python3 tests/check-summary.py $(CHECK_BUILD)/meson-logs/testlog.json || status=1; \
	echo "Screenshots and receipt PNGs: $(CHECK_BUILD)/test-output/"; \
	exit $$status

$(BENCH_BUILD)/build.ninja:
	meson setup $(BENCH_BUILD) --buildtype=release -Dwerror=true

bench: deps $(BENCH_BUILD)/build.ninja
	ninja -C $(BENCH_BUILD)
	@for b in $(BENCH_BUILD)/tests/bench/bench-*; do \
	  [ -f "$$b" ] && [ -x "$$b" ] || continue; \
	  echo "== $$(basename $$b)"; \
	  "$$b" || exit 1; \
	done

deb: deps
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q debhelper dpkg-dev
	dpkg-buildpackage -us -uc -b

# clang-format is the house style; every C file must be clean.
C_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find src hw tests -name '*.[ch]')

format:
	clang-format -i $(C_SOURCES)

format-check:
	@clang-format --dry-run --Werror $(C_SOURCES)

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(BENCH_BUILD)
