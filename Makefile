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

# golangci-lint (errcheck, staticcheck, ineffassign, unused; see .golangci.yml) at a pinned version,
# installed from the Go module proxy into ./bin on first use; the file name carries the version so
# that changing it installs the new one.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := bin/golangci-lint-$(GOLANGCI_LINT_VERSION)

$(GOLANGCI_LINT):
	GOBIN=$(CURDIR)/bin $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv bin/golangci-lint $@

# Fails on unformatted code, on a go.mod or go.sum that `go mod tidy` would change, on go vet's
# findings and on golangci-lint's.
lint: $(GOLANGCI_LINT)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
	$(GO) vet ./...
	$(GOLANGCI_LINT) run ./...

# A short run of every fuzz target (longer runs: FUZZTIME=10m make fuzz).
FUZZTIME ?= 20s
FUZZ_TARGETS := textnorm:FuzzNormalize textnorm:FuzzMatchesReference web:FuzzCaseFilter .:FuzzCaseCreate \
	sqldb:FuzzCursor sqldb:FuzzSearch email:FuzzParse email:FuzzSanitizeHTML pgp:FuzzOpenMessage \
	keyring:FuzzDecrypt keyring:FuzzOpenKey web:FuzzHTMLWriter web:FuzzLocalPath playbook:FuzzParse \
	markdown:FuzzHTML
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$fn ($$pkg)"; $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
