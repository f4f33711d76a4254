// Package kernels holds the compute kernels aiq measures and runs models on:
// GEMM with a fused epilogue and 3x3 depthwise convolution, each in four
// number formats (fp32, fp16, int8, int4).
//
// Every kernel has a generic Go reference that is always compiled and
// hand-written assembly variants (amd64: AVX2+FMA+F16C, AVX-512, AVX-512 VNNI;
// arm64: NEON, NEON with dotprod (SDOT), NEON with FP16).
// The variant is chosen once from CPU features at init; the environment
// variable AIQ_ISA (generic, avx2, avx512, avx512vnni; generic, neon,
// neon-dotprod, neon-fp16) caps it,
// and tests use ForceISA to compare every variant the machine has with the
// generic reference.
//
// Weights are packed once (Pack* constructors) into the layout the selected
// microkernel wants; activations are row-major (NHWC), so a convolution is a
// GEMM with M = batch*H*W, N = Cout, K = Cin*kh*kw.
//
// The package is the one home of the host facts the kernels depend on:
// feature levels (Levels, Supported, Enabled, ISA, under AIQ_ISA), cache
// sizes (HostCaches), the number Format, and the binary16 conversion (its
// scalar definition in the leaf package kernels/fp16, which the ONNX
// decoder uses too). roofline, harness and the CLI take them from here, so
// AIQ_ISA caps the roofline probe as it caps the kernels.
//
// Integer kernels are bit-exact against the reference: the epilogue is
// specified operation by operation (see Epilogue) and every variant performs
// exactly those float32 operations in that order.
package kernels
