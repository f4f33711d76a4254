# aiq: the main job is `make bench`; the tests are `make test`.
GO      ?= go
BIN     := bin/aiq
PKGS    := ./...

.PHONY: asm check-generated all build test vet test-amd64 test-purego test-race test-arm64 bench bench-quick peers asm fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/aiq

vet:
	$(GO) vet $(PKGS)
	GOARCH=arm64 $(GO) vet $(PKGS)
	$(GO) vet -tags purego $(PKGS)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# Generated assembly must match its generator.
check-generated:
	@tmp=$$(mktemp -d); \
	$(GO) run ./internal/gemmgen -dir $$tmp && $(GO) run ./internal/dwgen -dir $$tmp && $(GO) run ./internal/gemmqgen -dir $$tmp && \
	for f in gemm_f32_amd64.s gemm_f16_amd64.s gemm_f32_stubs_amd64.go gemm_f16_stubs_amd64.go dw_amd64.s dw_stubs_amd64.go gemm_q_amd64.s gemm_q_stubs_amd64.go; do \
	  cmp -s kernels/$$f $$tmp/$$f || { echo "kernels/$$f differs from its generator's output"; rm -rf $$tmp; exit 1; }; \
	done; rm -rf $$tmp; echo "generated assembly up to date"

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

asm:
	$(GO) run ./internal/asmgen
	$(GO) run ./internal/gemmgen -dir kernels
	$(GO) run ./internal/dwgen -dir kernels
	$(GO) run ./internal/gemmqgen -dir kernels

fuzz:
	$(GO) test -run XXX -fuzz FuzzGEMMQ -fuzztime 30s ./kernels

clean:
	rm -rf bin report.html
