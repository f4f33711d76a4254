// Package search chooses a number format (fp32, fp16, int8, int4) per compute
// layer of a CNN so that it runs fastest, or moves the fewest bytes, while
// its top-1 accuracy stays within a bound of FP32.
//
// # Model
//
// A search works on tables, so the algorithms are pure and testable without
// an engine:
//   - per layer and format, an additive cost: the layer's step time measured
//     through the engine (Costs: every format compiled as a whole model at
//     the asked batch and threads, per-step timers inside end-to-end passes,
//     interleaved rounds; objectives "throughput" and "latency"), or the
//     analytic bytes of package layers (objective "ai");
//   - a mask of allowed formats per layer, the tie rule (Costs.Allowed): a
//     format may replace a more accurate one only where it executes as
//     itself and is measurably faster (Faster: a rank test on per-round
//     samples plus a minimum gain);
//   - accuracy of whole configurations from an Evaluator, cached per
//     configuration (Accuracy): top-1, per-image correctness and a
//     divergence from FP32's outputs (mean KL of the softmax), and per-layer
//     sensitivity: the change of both when only that layer changes format
//     from a base (Sensitivity).
//
// Feasibility is a paired statistic: the upper confidence bound of the
// top-1 drop from FP32 over per-image correctness on the same images
// (PairedDrop), within the bound. While searching, the rates on the search
// images are projected onto the val half, where the choice is checked.
//
// # Algorithms
//
//   - Greedy, the paper's: layers by decreasing cost saving, each given the
//     cheapest allowed format that keeps the configuration feasible.
//   - CoordDescent, the paper's weighted loss drop + Lambda x relative cost,
//     minimised one layer at a time over repeated sweeps (infeasible
//     configurations have infinite loss).
//   - Pareto: a multiple-choice knapsack (dynamic programme over the
//     additive model: summed per-layer divergence against summed per-layer
//     cost) yields the exact front of the model; its candidates are then
//     verified by real evaluations (a bisection on the front for the
//     cheapest feasible one, a few spread points, a short local refinement).
//
// # The run (Run, aiq search)
//
// Calibrate on training images; build the cost model; score the uniform
// baselines; measure the sensitivity; run the algorithm on a class-balanced
// prefix of the val half; then choose (choose, ChooseMeasured): the best
// feasible candidates by predicted images/s (or bytes) and every uniform
// format are checked on the whole val half and timed end to end,
// interleaved; among those within the bound the fastest wins, unless a more
// accurate one is tied with it, so no configuration measured in the same
// run dominates the choice. Every measured configuration is reported with
// its predicted images/s (Costs.Predict over its own plan, conversions
// included) beside the measured; the chosen one is reported on the holdout
// half and on all test images, at the batch and at batch 1.
//
// The metric is top-1 against the labels, or (MetricAgreement) top-1
// agreement with FP32's own predictions, computed once per image set and
// taken as the labels: it needs none, and bounds the change from FP32.
//
// The engine-facing part lives in engine.go, costs.go and run.go; everything
// else only sees tables.
package search
