// Package search chooses a number format (fp32, fp16, int8, int4) per compute
// layer of a CNN so that it runs fastest, or moves the fewest bytes, while
// its top-1 accuracy stays within a bound of FP32.
//
// # Model
//
// A search works on tables, so the algorithms are pure and testable without
// an engine:
//   - per layer and format, an additive cost: the measured time of the
//     layer's kernel at its exact shape, batch and thread count (objective
//     "throughput", the default), or the analytic bytes (objective "ai");
//   - analytic operations and bytes, the paper's roofline accounting: per
//     conv/fc layer its weights once per batch plus its input activations
//     read and output activations written, each at its format's width (fp32
//     4 B, fp16 2 B, int8 1 B, int4 weights 0.5 B with 1 B activations),
//     summed over layers with no credit for cache reuse between layers;
//     AI = 2 x MACs / bytes (Bytes, AI);
//   - accuracy of whole configurations from an Evaluator, cached per
//     configuration (Accuracy): top-1 and a divergence from FP32's outputs
//     (mean KL of the softmax), and per-layer sensitivity: the change of
//     both when only that layer changes format from a base (Sensitivity).
//
// # Algorithms
//
//   - Greedy, the paper's: layers by decreasing cost saving, each given the
//     cheapest format whose measured top-1 stays within the bound.
//   - CoordDescent, the paper's weighted loss drop + Lambda x relative cost,
//     minimised one layer at a time over repeated sweeps (infeasible
//     configurations have infinite loss).
//   - Pareto: a multiple-choice knapsack (dynamic programme over the
//     additive model: summed per-layer sensitivity against summed per-layer
//     cost) yields the exact front of the model; its candidates are then
//     verified by real evaluations (a bisection on the front for the
//     cheapest one within the bound, a few spread points, a short local
//     refinement) and the best verified one is kept. The front is built
//     over the divergence rather than single-layer top-1 drops: on a
//     sample of 2000 images most single-layer drops are within noise of
//     zero, and their sum badly underestimates many layers together.
//
// # The run (Run, aiq search)
//
// Calibrate on training images; time every layer in every format (the
// fastest of repeated samples: on a shared machine interference only adds
// time); score the uniform baselines; measure the sensitivity from the
// cheapest uniform format within SensTol of FP32 (lossless formats are not
// run per layer); run the algorithm on a class-balanced prefix of the val
// half with MaxDrop-Margin; rank the feasible candidates (by bytes, or for
// throughput by their measured end-to-end images/s); keep the first within
// MaxDrop on the whole val half; report it on the holdout half and on all
// 10,000 images with end-to-end images/s at the batch and at batch 1.
//
// The engine-facing part (compiling and evaluating configurations, timing
// kernels at each layer's shape, re-measuring the result end to end) lives
// in engine.go, timing.go and run.go; everything else only sees tables.
package search
