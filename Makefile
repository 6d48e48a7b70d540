# SPDX-License-Identifier: GPL-2.0-only
# scanwatch: `make` builds, `make deps` installs what build and tests need, `make test` runs
# every test, `make bench` measures, `make demo` shows it working.

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
PKG_CONFIG ?= pkg-config
OUT ?= .output
BIN ?= scanwatch

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)

LIBS_PC := libbpf libxdp libpcap libmaxminddb librrd libcap-ng libpq
CFLAGS ?= -O2 -g
# Truncation is checked where it matters (snprintf's return); gcc's guesses about it are noise.
CFLAGS += -std=c11 -D_GNU_SOURCE -DSW_VERSION=\"0.1\" -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers -Wno-format-truncation \
	-I$(OUT) -Ibpf -Iuser -Irrd $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null) -MMD -MP
LDLIBS += $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null || echo -lbpf -lxdp -lpcap -lmaxminddb -lrrd -lcap-ng -lpq) \
	-lelf -lz -lm -lpthread
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I/usr/include/$(TRIPLET) -Ibpf \
	-Wall -Wextra -Werror -Wno-unused-parameter

BPF_PROGS := scanwatch empty
BPF_OBJS := $(patsubst %,$(OUT)/%.bpf.o,$(BPF_PROGS))
SKELS := $(patsubst %,$(OUT)/%.skel.h,$(BPF_PROGS))
LIB_SRCS := $(filter-out user/main.c,$(wildcard user/*.c)) $(wildcard rrd/*.c)
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
.PHONY: all deps test bench demo clean format geoip sanitize test-san fuzz fuzz-targets

all: $(BIN) $(TEST_BINS) $(TOOL_BINS)

$(OUT) $(OUT)/user $(OUT)/rrd $(OUT)/tests $(OUT)/tools $(OUT)/tools/lib:
	$(Q)mkdir -p $@

$(OUT)/%.bpf.o: bpf/%.bpf.c bpf/scanwatch.h bpf/parse.h | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# Every user object may include a skeleton; generate them first.
$(LIB_OBJS) $(OUT)/user/main.o: | $(SKELS)

# The database's migrations, in order, as C strings that `scanwatch db-init` applies.
DB_SCHEMAS := $(sort $(wildcard user/db/schema/*.sql))
$(OUT)/db_schema.h: $(DB_SCHEMAS) | $(OUT)
	$(call msg,GEN,$@)
	$(Q)for f in $(DB_SCHEMAS); do printf '"'; sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
		-e 's/$$/\\n"/' -e '2,$$s/^/"/' "$$f"; printf ',\n'; done > $@
$(OUT)/user/db_init.o: $(OUT)/db_schema.h

$(OUT)/user/%.o: user/%.c | $(OUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/rrd/%.o: rrd/%.c | $(OUT)/rrd
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/tests/%.o: tests/%.c $(SKELS) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests -Itools/lib -c $< -o $@

$(OUT)/tools/%.o: tools/%.c $(SKELS) | $(OUT)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itools/lib -c $< -o $@

$(OUT)/tools/lib/%.o: tools/lib/%.c | $(OUT)/tools/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itools/lib -c $< -o $@

$(OUT)/libtools.a: $(TLIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/libscanwatch.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(OUT)/user/main.o $(OUT)/libscanwatch.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/tests/%: $(OUT)/tests/%.o $(OUT)/libscanwatch.a $(OUT)/libtools.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(OUT)/tools/%: $(OUT)/tools/%.o $(OUT)/libscanwatch.a $(OUT)/libtools.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	tools/install-deps.sh

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
test-san: sanitize
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

$(OUT)/fuzz/%: tests/fuzz/%.c $(OUT)/libscanwatch.a $(OUT)/libtools.a $(SKELS) | $(OUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer -Itests -Itools/lib -o $@ $< $(OUT)/libscanwatch.a \
		$(OUT)/libtools.a $(LDLIBS)

# The country database (ip-location-db from the npm registry) into $(OUT)/geoip/, installed as
# GEOIP_DB when that is writable; `make geoip GEOIP_DB=` only fetches.
GEOIP_DB ?= /usr/share/scanwatch/country.mmdb
geoip:
	tools/fetch-geoip.sh $(OUT)/geoip "$(GEOIP_DB)"

test: all fuzz
	tests/run.sh

bench: all
	tools/bench.sh

demo:
	tools/demo.sh

format:
	clang-format -i $(wildcard bpf/*.[ch] user/*.[ch] rrd/*.[ch] tests/*.[ch] tools/*.c tools/lib/*.[ch])

clean:
	rm -rf $(OUT) $(SAN_OUT) $(FUZZ_OUT) scanwatch bench.json

-include $(wildcard $(OUT)/*/*.d $(OUT)/*/*/*.d)
