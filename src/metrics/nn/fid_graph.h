// The FID variant of Inception-v3 (pytorch-fid's `InceptionV3` with `fid_inception_v3`), as
// data: stages of convolution and pooling nodes that both network paths (oneDNN and the
// plain reference) execute. The evaluation table's networks (table_graphs.h) are stage
// graphs too, with the other node kinds below (Copy, ChannelScale, grouped convs, other
// activations, residual sums); only the oneDNN path runs them. Keeping one description means the
// two paths can differ only in how they compute, never in what.
//
// A stage reads one activation (the previous stage's output, or the 3-channel input image)
// and writes one: every node writing to the stage output fills its own channel slice, which
// is how Inception's branch concatenation happens without a copy. Temporaries are private
// to a stage. Names are the torchvision state-dict prefixes ("Mixed_5b.branch1x1").
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace qtune::metrics::nn {

// What follows a convolution's bias (and its residual sum, see Conv::accumulate).
enum class ConvActivation {
  kRelu,
  kNone,
  kSilu,     // x * sigmoid(x), torch's SiLU (EfficientNet's swish)
  kSigmoid,  // squeeze-excitation's gate
};

// Conv2d(bias=False) -> BatchNorm2d(eps 1e-3) -> ReLU, torchvision's BasicConv2d; the same
// with another activation, groups or a residual sum for the other networks
// (table_graphs.h). The batch norm (or the conv's own bias) is folded into a bias
// (folded_conv.h); weights are [out, in / groups, kernel_h, kernel_w].
struct Conv {
  std::string name;
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t kernel_h = 1;
  std::int64_t kernel_w = 1;
  std::int64_t stride = 1;
  std::int64_t pad_h = 0;
  std::int64_t pad_w = 0;
  std::int64_t groups = 1;  // in_channels == out_channels == groups: depthwise
  ConvActivation activation = ConvActivation::kRelu;
  // The destination already holds a tensor of the output's shape (the residual branch,
  // written by an earlier node of the stage): the conv result is added to it before the
  // activation, as ResNet's `out += identity; relu(out)`.
  bool accumulate = false;
};

enum class PoolKind {
  kMax,
  kAverageExcludingPadding,  // avg_pool2d(count_include_pad=False), the FID (TF) convention
  kAverageIncludingPadding,  // avg_pool2d's default, torchvision's Inception3
  kGlobalAverage,            // adaptive_avg_pool2d(1): channels x 1 x 1; kernel/stride/pad unused
};

struct Pool {
  PoolKind kind = PoolKind::kMax;
  std::int64_t kernel = 3;
  std::int64_t stride = 1;
  std::int64_t pad = 0;
};

// dst = src (same shape): seeds a residual sum that a later Conv with `accumulate` adds to.
struct Copy {};

// dst = src * scale, the scale buffer holding one value per channel (channels x 1 x 1 per
// image): squeeze-excitation's `scale * input`.
struct ChannelScale {
  int scale = 0;  // a buffer id of the stage
};

using Op = std::variant<Conv, Pool, Copy, ChannelScale>;

// Buffer ids inside a stage: the stage input, the stage output, then temporaries.
inline constexpr int kStageInput = 0;
inline constexpr int kStageOutput = 1;

struct Node {
  Op op;
  int src = kStageInput;
  int dst = kStageOutput;
  std::int64_t dst_channel_offset = 0;  // first channel of the slice written (kStageOutput only)
};

struct Stage {
  std::string name;
  std::int64_t out_channels = 0;
  int buffer_count = 2;     // kStageInput, kStageOutput and the temporaries
  std::vector<Node> nodes;  // in execution order: a node's source is written before it runs
};

struct Shape {
  std::int64_t channels = 0;
  std::int64_t height = 0;
  std::int64_t width = 0;

  std::int64_t size() const { return channels * height * width; }
  friend bool operator==(const Shape&, const Shape&) = default;
};

// The 15 stages in order: the stem up to MaxPool_1 (block 0), Conv2d_3b..MaxPool_2
// (block 1), Mixed_5b..Mixed_6e (block 2), Mixed_7a..Mixed_7c (block 3).
const std::vector<Stage>& fid_inception_stages();

// torchvision's own Inception3 (inception_v3(weights=...)), the same 13 stages with its
// pools: every branch_pool an avg_pool2d(3, 1, 1) counting the padded zeros (FID's
// variant excludes them, and uses a max pool in Mixed_7c). Same tensor names and shapes.
const std::vector<Stage>& torchvision_inception_stages();

// Number of stages to run for features of `dims` (64, 192, 768 or 2048), pytorch-fid's
// BLOCK_INDEX_BY_DIM; 0 for any other value.
std::size_t stage_count_for_dims(std::int64_t dims);

// Output shape of `op` on an input of shape `in` (PyTorch's floor rule for conv and pool).
Shape output_shape(const Op& op, const Shape& in);

// Shapes of every buffer of `stage` for an input of shape `in`; [kStageOutput] is the output.
std::vector<Shape> stage_buffer_shapes(const Stage& stage, const Shape& in);

}  // namespace qtune::metrics::nn
