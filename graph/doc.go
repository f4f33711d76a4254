// Package graph is aiq's intermediate representation of a CNN: nodes in
// execution order over named tensors whose shapes are all known for one
// batch size, plus a plain-Go reference interpreter (Run, RunTensors,
// Reference) that defines what every operator computes.
//
// # Import
//
// Load / FromONNX turn an ONNX model into a canonical graph for a batch size:
//   - every value's shape is inferred (the first input's first dimension is
//     the batch, as is a symbolic first dimension of any input; ONNX opsets
//     7 to 25);
//   - everything computable from initializers and shapes is folded into
//     constant tensors (Constant, Shape, Gather, Unsqueeze, Concat,
//     ConstantOfShape, Cast, Reshape/Slice/Transpose of constants, ...);
//   - parameters held in constant inputs become typed Node fields, so Slice,
//     Pad, Reshape, Clip, Unsqueeze and Squeeze have one data input;
//   - BatchNormalization after a Conv is folded into the Conv's weights and
//     bias (exact up to float rounding);
//   - Add/Sub/Mul/Div of an activation by a per-channel constant becomes
//     ChannelAffine (y = x*Scale[c] + Bias[c], c = axis 1); consecutive ones merge;
//   - Identity, Dropout, zero Pads, full Slices and shape-preserving reshapes
//     disappear; Slice of Slice composes into one strided Slice; an unpadded
//     AveragePool over the whole plane becomes GlobalAveragePool; a Reshape
//     to [N, rest] becomes Flatten (axis 1).
//
// An unsupported operator, attribute or attribute value is an error naming
// the node. Unknown attributes are errors too: ignoring one could change
// what the node computes.
//
// The input normalisation of the shipped models (Sub mean, Div std) stays a
// ChannelAffine node and is not folded into the first Conv: that Conv
// zero-pads the normalised image, and a normalised zero is the raw value
// mean[c], so weights folded with 1/std and a bias folded with -mean/std are
// wrong on the border pixels. An executor that wants the fold exactly can
// scale the weights and pad the raw image with mean[c] instead of 0.
//
// # Operators after import
//
// Data inputs are activations or constants; "const" marks inputs that are
// always constant after import. Shapes are NCHW. Integer tensors (DType
// Int64) remember their ONNX element type in Tensor.Elem.
//
//	Conv               X, W [Cout, Cin/Group, KH, KW], B [Cout] (optional); Node.Conv (W, B constant unless
//	                   computed by DequantizeLinear)
//	Gemm               A, B, C (optional); Node.Gemm (TransA/TransB/Alpha/Beta as ONNX)
//	MatMul             A, B (numpy: batched, broadcast, 1-D operands promoted)
//	Relu, Clip         X; bounds in Node.Clip (Clip keeps min/max inputs only when they are not constant)
//	Sigmoid, HardSwish X;  HardSigmoid X; Node.Alpha, Node.Beta
//	Add, Sub, Mul, Div X, Y with numpy broadcasting (residual adds are Add; integers wrap to Elem)
//	ChannelAffine      X, Scale const [C], Bias const [C]
//	BatchNormalization X, scale, B, mean, var (only when no Conv precedes it); Node.Eps
//	AveragePool, MaxPool X; window in Node.Conv, Node.Pool (MaxPool also on integers)
//	GlobalAveragePool, GlobalMaxPool  X -> [N, C, 1, 1]
//	ReduceMean         X; Node.Axes, Node.KeepDims
//	Flatten            X; Node.Axis;  Reshape X; Node.Shape (full output shape)
//	Slice              X; Node.Slice (start and step for every axis; output shape is the value's)
//	Pad                X; Node.Pad (begin/end per axis; constant value, or Mode edge/reflect/wrap)
//	Concat             X...; Node.Axis;  Transpose X; Node.Perm;  Softmax X; Node.Axis
//	Unsqueeze, Squeeze X; Node.Axes;  Gather data, indices; Node.Axis;  Cast X; Node.To
//	QuantizeLinear     X, scale, zero point (optional) -> integers of type Node.QType;
//	DequantizeLinear   X, scale, zero point (optional) -> float; both: Node.Axis, Node.BlockSize
//	                   (per tensor, per axis or blocked, by the scale's shape)
//	QLinearConv        x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B (optional int32); Node.Conv
//	QLinearMatMul      a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp
//	ConvInteger        x, w, x_zp, w_zp (optional) -> int32; Node.Conv
//	MatMulInteger      A, B, a_zp, b_zp (optional) -> int32
//
// QuantizeLinear and DequantizeLinear are never folded, even on constant
// weights: they stay nodes so a pass can read the quantization they
// describe. Parameters the importer needs constant (a pad value, a clip
// bound) may be computed through them from constants.
//
// The ResNet-20 option-A shortcut, exported by PyTorch as two Slices, a Pad
// whose pads come from Constant/ConstantOfShape/Concat/Reshape/Slice/
// Transpose/Cast, folds to: Slice (starts 0, steps 1,1,2,2: every second row
// and column) then Pad (C/2 zero channels before and after).
//
// Layers lists the Conv/Gemm/MatMul layers with their geometry, MACs and
// weight counts, for searches and kernel benchmarks.
//
// The reference interpreter is NCHW float32 with float32 accumulation in a
// fixed order, and exact int64 arithmetic for the integer operators, whose
// requantization rounds half to even and saturates as ONNX specifies;
// heavy operators split work across goroutines. ONNX's own backend tests
// check it (package conformance). A fast executor
// chooses its own layout (the datasets give NHWC too).
package graph
