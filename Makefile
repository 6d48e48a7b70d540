# SPDX-License-Identifier: GPL-2.0-only
# scanwatch: `make` builds, `make deps` installs what building and running need, `make test`
# (with what the tests need) runs every test, `make bench` measures, `make demo` shows it
# working, `make install` installs a sensor (PREFIX, DESTDIR), `make uninstall` removes it.

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
PKG_CONFIG ?= pkg-config
OUT ?= .output
BIN ?= scanwatch

# Where `make install` puts things; the paths the binary looks in by default follow them.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
# The service's StateDirectory=: systemd makes it /var/lib/NAME.
STATEDIR := /var/lib/scanwatch
# The country database `make install` puts in place: `make geoip`'s unless another is named.
COUNTRY_DB ?= $(OUT)/geoip/country.mmdb

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
# The one place the version is written; the binary, the status output, the report and the
# installed man page take it from here.
VERSION := $(shell cat VERSION)

LIBS_PC := libbpf libxdp libpcap libmaxminddb librrd libcap-ng libpq
CFLAGS ?= -O2 -g
# Truncation is checked where it matters (snprintf's return); gcc's guesses about it are noise.
CFLAGS += -std=c11 -D_GNU_SOURCE -DSW_VERSION=\"$(VERSION)\" -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers -Wno-format-truncation \
	-I$(OUT) -Ibpf $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null) -MMD -MP
LDLIBS += $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null || echo -lbpf -lxdp -lpcap -lmaxminddb -lrrd -lcap-ng -lpq) \
	-lelf -lz -lm -lpthread
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -I/usr/include/$(TRIPLET) -Ibpf \
	-Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP

# The bench's ablation ladder: scanwatch.bpf.c built with parts left out (tools/bench.c).
LADDER_PROGS := scanwatch_touch scanwatch_parse scanwatch_cache
BPF_PROGS := scanwatch empty bench_batch $(LADDER_PROGS)
BPF_OBJS := $(patsubst %,$(OUT)/%.bpf.o,$(BPF_PROGS))
SKELS := $(patsubst %,$(OUT)/%.skel.h,$(BPF_PROGS))
# The layers, each seeing only the folders before it (docs/ARCHITECTURE.md): a header of a later
# layer is not on an earlier one's include path, so including it fails to compile.
LAYERS := user/lib user/store user/kernel rrd user/alerts user/daemon user/report user/cmd
INC_user/lib := -Iuser/lib
INC_user/store := $(INC_user/lib) -Iuser/store
INC_user/kernel := $(INC_user/store) -Iuser/kernel
INC_rrd := $(INC_user/store) -Irrd
INC_user/alerts := $(INC_rrd) -Iuser/alerts
INC_user/daemon := $(INC_user/alerts) -Iuser/kernel -Iuser/daemon
INC_user/report := $(INC_user/alerts) -Iuser/report
INC_user/cmd := $(INC_user/daemon) -Iuser/report -Iuser/cmd
INC_ALL := $(INC_user/cmd)
LIB_SRCS := $(filter-out user/cmd/main.c,$(foreach l,$(LAYERS),$(wildcard $(l)/*.c)))
LIB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(LIB_SRCS))
# Frame building and other helpers shared by tests and tools, never by the daemon.
TLIB_SRCS := $(wildcard tools/lib/*.c)
TLIB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(TLIB_SRCS))
TEST_SRCS := $(wildcard tests/*_test.c)
TEST_BINS := $(patsubst tests/%.c,$(OUT)/tests/%,$(TEST_SRCS))
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_BINS := $(patsubst tools/%.c,$(OUT)/tools/%,$(TOOL_SRCS))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY: $(BPF_OBJS)
.PHONY: all deps test bench demo clean format check-format lint check-deps check-layers help geoip sanitize \
	test-san fuzz fuzz-targets install uninstall test-deps demo-deps FORCE

all: $(BIN) $(TEST_BINS) $(TOOL_BINS)

$(OUT) $(addprefix $(OUT)/,$(LAYERS)) $(OUT)/tests $(OUT)/tools $(OUT)/tools/lib $(OUT)/dist $(OUT)/man:
	$(Q)mkdir -p $@

# The default paths compiled in, rewritten only when they change, so that `make install
# PREFIX=...` rebuilds what uses them and nothing else.
$(OUT)/paths.h: FORCE | $(OUT)
	$(Q)printf '%s\n' '/* SPDX-License-Identifier: GPL-2.0-only */' \
		'/* Made by make from the install directories. */' \
		'#define SW_CONFIG_DEFAULT "$(SYSCONFDIR)/scanwatch/scanwatch.conf"' \
		'#define SW_GEOIP_DEFAULT "$(DATADIR)/scanwatch/country.mmdb"' \
		'#define SW_DATA_DIR_DEFAULT "$(STATEDIR)"' >$@.new
	$(Q)if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(OUT)/%.bpf.o: bpf/%.bpf.c | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/scanwatch_touch.bpf.o: LADDER := 0
$(OUT)/scanwatch_parse.bpf.o: LADDER := 1
$(OUT)/scanwatch_cache.bpf.o: LADDER := 2
$(patsubst %,$(OUT)/%.bpf.o,$(LADDER_PROGS)): bpf/scanwatch.bpf.c | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DSW_LADDER=$(LADDER) -Wno-unused-function -Wno-unused-variable \
		-Wno-unused-but-set-variable -Wno-unknown-warning-option -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# Every user object may include a skeleton or the paths; generate them first.
$(LIB_OBJS) $(OUT)/user/cmd/main.o $(TLIB_OBJS): | $(SKELS) $(OUT)/paths.h

# The database's migrations, in order, as C strings that `scanwatch db-init` applies.
DB_SCHEMAS := $(sort $(wildcard user/store/schema/*.sql))
$(OUT)/db_schema.h: $(DB_SCHEMAS) | $(OUT)
	$(call msg,GEN,$@)
	$(Q)for f in $(DB_SCHEMAS); do printf '"'; sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
		-e 's/$$/\\n"/' -e '2,$$s/^/"/' "$$f"; printf ',\n'; done > $@
$(OUT)/user/cmd/db_init.o: $(OUT)/db_schema.h

define layer_rule
$(OUT)/$(1)/%.o: $(1)/%.c | $(OUT)/$(1)
	$$(call msg,CC,$$@)
	$$(Q)$$(CC) $$(CFLAGS) $$(INC_$(1)) -c $$< -o $$@
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

$(OUT)/tests/%.o: tests/%.c $(SKELS) | $(OUT)/tests $(OUT)/paths.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INC_ALL) -Itests -Itools/lib -c $< -o $@

$(OUT)/tools/%.o: tools/%.c $(SKELS) | $(OUT)/tools $(OUT)/paths.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INC_ALL) -Itools/lib -c $< -o $@

$(OUT)/tools/lib/%.o: tools/lib/%.c | $(OUT)/tools/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INC_ALL) -Itools/lib -c $< -o $@

$(OUT)/libtools.a: $(TLIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/libscanwatch.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(OUT)/user/cmd/main.o $(OUT)/libscanwatch.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# libtools.a first: its helpers call the daemon's library, never the other way round.
$(OUT)/tests/%: $(OUT)/tests/%.o $(OUT)/libtools.a $(OUT)/libscanwatch.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(OUT)/tools/%: $(OUT)/tools/%.o $(OUT)/libtools.a $(OUT)/libscanwatch.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# What building and running a sensor need; the tests' and the demo's tools come with
# `make test` and `make demo` (tools/install-deps.sh).
deps:
	tools/install-deps.sh build run

test-deps:
	tools/install-deps.sh test

demo-deps:
	tools/install-deps.sh demo

# Everything again with ASan and UBSan, into its own OUT so the normal build stays as it is;
# `SW_OUT=.output-san tests/run.sh` runs the tests on it. CFLAGS go through the environment:
# given on the command line they would replace the flags appended above instead of joining them.
SAN_OUT ?= .output-san
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wno-unknown-warning-option
sanitize:
	+CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" $(MAKE) OUT=$(SAN_OUT) BIN=$(SAN_OUT)/scanwatch CC=clang \
		TRIPLET=$(TRIPLET)

# The suite on that build: any report ends the test it happens in. Leaks are looked for too,
# with whole stacks so that tests/lsan.supp can tell other projects' from ours. The fuzzers are
# sanitized already: their short runs in `make test` are not repeated.
SAN_TESTS := $(filter-out t_fuzz,$(notdir $(basename $(TEST_SRCS) $(wildcard tests/t_*.sh))))
test-san: sanitize test-deps
	SW_OUT=$(SAN_OUT) TESTS="$(SAN_TESTS)" \
	ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tests/run.sh

# libFuzzer targets, tests/fuzz/*.c, over a build of the library instrumented for coverage.
FUZZ_OUT ?= .output-fuzz
FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(FUZZ_SRCS))
fuzz:
	+CFLAGS="$(SAN_FLAGS) -fsanitize=fuzzer-no-link" LDFLAGS="$(SAN_FLAGS)" \
		$(MAKE) OUT=$(FUZZ_OUT) BIN=$(FUZZ_OUT)/scanwatch CC=clang \
		TRIPLET=$(TRIPLET) fuzz-targets

fuzz-targets: $(FUZZ_BINS)

$(OUT)/fuzz:
	$(Q)mkdir -p $@

$(OUT)/fuzz/%: tests/fuzz/%.c $(OUT)/libtools.a $(OUT)/libscanwatch.a $(SKELS) | $(OUT)/fuzz \
		$(OUT)/paths.h
	$(call msg,FUZZ,$@)
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer $(INC_ALL) -Itests -Itools/lib -o $@ $< $(OUT)/libtools.a \
		$(OUT)/libscanwatch.a $(LDLIBS)

# The country database (ip-location-db from the npm registry) into $(OUT)/geoip/, installed as
# GEOIP_DB when that is writable; `make geoip GEOIP_DB=` only fetches.
GEOIP_DB ?= $(DATADIR)/scanwatch/country.mmdb
geoip:
	tools/fetch-geoip.sh $(OUT)/geoip "$(GEOIP_DB)"

# Fetched once for `make install` and the demo; `make geoip` fetches a newer one.
$(OUT)/geoip/country.mmdb:
	tools/fetch-geoip.sh $(OUT)/geoip ""

# The unit and the default configuration, with the install directories written in.
$(OUT)/dist/%: dist/%.in FORCE | $(OUT)/dist
	$(Q)sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DATADIR@|$(DATADIR)|g' -e 's|@STATEDIR@|$(STATEDIR)|g' $< >$@.new
	$(Q)if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

# The man page as installed: its footer carries the version.
$(OUT)/man/scanwatch.8: man/scanwatch.8 VERSION | $(OUT)/man
	$(Q)sed -e '1,/^\.TH/s/"scanwatch"/"scanwatch $(VERSION)"/' $< >$@

INSTALL_ENV = DESTDIR="$(DESTDIR)" BINDIR="$(BINDIR)" DATADIR="$(DATADIR)" MANDIR="$(MANDIR)" \
	SYSCONFDIR="$(SYSCONFDIR)" UNITDIR="$(UNITDIR)" SYSUSERSDIR="$(SYSUSERSDIR)" \
	STATEDIR="$(STATEDIR)" BIN="$(BIN)" OUT="$(OUT)" COUNTRY_DB="$(COUNTRY_DB)"
install: $(BIN) $(COUNTRY_DB) $(OUT)/dist/scanwatch.service $(OUT)/dist/scanwatch.conf \
		$(OUT)/man/scanwatch.8
	$(INSTALL_ENV) tools/install.sh install

uninstall: $(OUT)/dist/scanwatch.conf
	$(INSTALL_ENV) tools/install.sh uninstall

test: all fuzz test-deps
	tests/run.sh

bench: all test-deps
	tools/bench.sh

demo: demo-deps
	tools/demo.sh

# Every C file of the tree, the fuzzers' too.
C_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find bpf user rrd tests tools -name '*.[ch]')

format:
	clang-format -i $(C_FILES)

# What `make format` would change, as a diff, failing when there is any (.ci/run runs it).
check-format: check-deps
	$(call msg,FORMAT,every C file)
	$(Q)clang-format --dry-run -Werror $(C_FILES)

# cppcheck's warning and portability checks (every check of those two groups, nothing else) over
# user space, the tests and the tools. The libbpf and libxdp option macros are defined for it so
# that it parses the calls they wrap; a finding that is not a defect is suppressed where it is,
# with `cppcheck-suppress ID ; why`.
LINT_FLAGS := --quiet --error-exitcode=1 --std=c11 --enable=warning,portability --inline-suppr \
	-D_GNU_SOURCE -Ibpf $(INC_ALL) -Itools/lib -Itests -I$(OUT) \
	-D'LIBBPF_OPTS(t,n,...)=struct t n = {.sz = sizeof(struct t), __VA_ARGS__}' \
	-D'DECLARE_LIBXDP_OPTS(t,n,...)=struct t n = {.sz = sizeof(struct t), __VA_ARGS__}' \
	--suppress=missingIncludeSystem
lint: check-deps check-layers
	$(call msg,LINT,user rrd tests tools)
	$(Q)cppcheck $(LINT_FLAGS) $(filter-out bpf/%,$(filter %.c,$(C_FILES)))

check-deps:
	tools/install-deps.sh check

# Each layer's headers and sources include only the layers before it.
check-layers:
	$(call msg,LAYERS,$(LAYERS))
	$(Q)$(foreach l,$(LAYERS),tools/check-layers.sh $(l) $(patsubst -I%,%,$(INC_$(l))) &&) true

help:
	@printf '%s\n' 'make                 build scanwatch, its tests and tools (into $(OUT)/)' \
		'make deps            install the packages building and running a sensor need (root)' \
		'make test            install what the tests need and run every test' \
		'make test-san        the tests again on an ASan + UBSan build' \
		'make fuzz            build the libFuzzer targets' \
		'make bench           measure against baselines taken in the same run' \
		'make demo            a sensor in a namespace, real scanners, charts and a report' \
		'make install         binary, man page, unit, config, country database (PREFIX, DESTDIR)' \
		'make uninstall       remove what install put in place (the data stays)' \
		'make geoip           fetch a newer country database' \
		'make format          clang-format every C file' \
		'make check-format    fail if clang-format would change a file' \
		'make lint            cppcheck with the checks the Makefile lists' \
		'make check-layers    each layer includes only the layers before it (part of lint)' \
		'make clean           remove what make built'

clean:
	rm -rf $(OUT) $(SAN_OUT) $(FUZZ_OUT) scanwatch bench.json

-include $(wildcard $(OUT)/*.d $(OUT)/*/*.d $(OUT)/*/*/*.d)
