# Haven build and test entry points. `make check` is what CI runs.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run demo test check lint fuzz bench clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/haven ./cmd/haven

run: build
	./bin/haven serve

demo: build
	./bin/haven demo

# Everything that needs nothing outside Go (PostgreSQL tests skip when it is absent).
test:
	$(GO) test ./...

# The full suite with the real components (PostgreSQL, Dovecot, swaks, GnuPG, Chromium); a missing
# component fails, never skips.
check: lint
	HAVEN_REQUIRE_REAL=1 $(GO) test -count=1 -timeout 30m ./...

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

# A short run of every fuzz target (longer runs: FUZZTIME=10m make fuzz).
FUZZTIME ?= 20s
FUZZ_TARGETS := textnorm:FuzzNormalize textnorm:FuzzMatchesReference web:FuzzCaseFilter .:FuzzCaseCreate \
	sqldb:FuzzCursor sqldb:FuzzSearch email:FuzzParse email:FuzzSanitizeHTML pgp:FuzzOpenMessage \
	keyring:FuzzDecrypt keyring:FuzzOpenKey web:FuzzHTMLWriter
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn ($$pkg)"; $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
