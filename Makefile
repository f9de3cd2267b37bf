# Haven build and test entry points. `make check` is what CI runs.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run demo test check lint fuzz bench clean api-lint

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
check: lint api-lint
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

# The OpenAPI document, web/openapi.json: Redocly (redocly.yaml) and Spectral (.spectral.yaml) lint
# it, and a TypeScript client typed by openapi-typescript from it (tools/openapi/client.ts) must
# compile under tsc --strict. Any warning fails. The tools are pinned in tools/openapi/package-lock.json
# and installed by npm ci, install scripts off, on first use; telemetry and update checks are off.
OPENAPI_TOOLS := tools/openapi/node_modules
OPENAPI_ENV := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1

$(OPENAPI_TOOLS)/.installed: tools/openapi/package.json tools/openapi/package-lock.json
	cd tools/openapi && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

api-lint: $(OPENAPI_TOOLS)/.installed
	$(OPENAPI_ENV) $(OPENAPI_TOOLS)/.bin/redocly lint --lint-config error web/openapi.json
	$(OPENAPI_ENV) $(OPENAPI_TOOLS)/.bin/spectral lint --fail-severity hint web/openapi.json
	@cd tools/openapi && out=$$($(OPENAPI_ENV) node_modules/.bin/openapi-typescript ../../web/openapi.json \
		-o gen/haven.d.ts 2>&1); rc=$$?; echo "$$out"; \
	if [ $$rc -ne 0 ] || echo "$$out" | grep -qiE 'warn|⚠'; then echo "openapi-typescript: failed or warned"; exit 1; fi
	cd tools/openapi && node_modules/.bin/tsc -p tsconfig.json --strict --noEmit

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

# Release binaries: static (no C library needed), with no local paths (-trimpath) and no build
# date, the time-zone database built in, for each platform in DIST_PLATFORMS, and their
# SHA256SUMS. `haven version` shows the version, commit and commit date.
DIST_PLATFORMS ?= linux/amd64 linux/arm64
DIST_TAGS      := timetzdata
.PHONY: dist
dist:
	rm -rf dist && mkdir -p dist
	@for p in $(DIST_PLATFORMS); do os=$${p%%/*}; arch=$${p##*/}; out=dist/haven-$(VERSION)-$$os-$$arch; \
		echo "build $$out"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -buildvcs=auto -trimpath -tags $(DIST_TAGS) \
			-ldflags "-s -w $(LDFLAGS)" -o $$out ./cmd/haven || exit 1; done
	cd dist && sha256sum haven-* > SHA256SUMS
