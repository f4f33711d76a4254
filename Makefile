# aiq: the main job is `make bench`; the tests are `make test`.
GO      ?= go
BIN     := bin/aiq
PKGS    := ./...

.PHONY: asm check-generated all build test vet test-amd64 test-purego test-race test-arm64 bench bench-quick peers fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/aiq

vet:
	$(GO) vet $(PKGS)
	GOARCH=arm64 $(GO) vet $(PKGS)
	$(GO) vet -tags purego $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# Generated files must match their generators: the //go:generate lines of
# kernels/gen.go run into a temporary directory, every output is compared
# with the committed file, and every committed "Code generated" file must
# have been produced (arm64 needs llvm-mc).
check-generated:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cd kernels && grep '^//go:generate ' gen.go | sed -e 's|^//go:generate ||' -e "s| -dir \.$$| -dir $$tmp|" | sh -e || exit 1; \
	for f in $$tmp/*; do \
	  cmp -s "$$f" "$${f##*/}" || { echo "kernels/$${f##*/} differs from its generator's output: run go generate ./kernels"; exit 1; }; \
	done; \
	for f in $$(grep -l '^// Code generated .* DO NOT EDIT\.$$' *.go *.s); do \
	  test -e "$$tmp/$$f" || { echo "kernels/$$f says it is generated, but no generator wrote it"; exit 1; }; \
	done; \
	echo "generated files up to date ($$(ls $$tmp | wc -l) files)"

test-amd64:
	$(GO) test -count=1 $(PKGS)

test-purego:
	$(GO) test -count=1 -short -tags purego $(PKGS)

test-race:
	$(GO) test -count=1 -short -race -run 'Parallel' ./kernels
	$(GO) test -count=1 -short -race ./engine/... ./harness/... ./search/...

test-arm64:
	@if [ -x .ci/arm64.sh ]; then bash .ci/arm64.sh; else echo "arm64: no .ci/arm64.sh yet"; fi

# The test command of the README and of CI.
test: vet check-generated test-amd64 test-purego test-race test-arm64

# The main job: roofline, kernel bench, search for both models, eval, report.
bench:
	bash scripts/bench.sh

bench-quick:
	bash scripts/bench.sh --quick

peers:
	bash peers/run.sh

# Regenerate every generated file of kernels.
asm:
	$(GO) generate ./kernels

fuzz:
	$(GO) test -run XXX -fuzz FuzzGEMMQ -fuzztime 30s ./kernels

clean:
	rm -rf bin report.html
