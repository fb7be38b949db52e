#include "metrics/nn/onednn_network.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "metrics/nn/arena_layout.h"
#include "metrics/nn/fid_graph.h"
#include "qtune/base/result.h"

namespace qtune::metrics::nn {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

memory::desc activation_desc(std::int64_t images, const Shape& shape, Tag tag) {
  return memory::desc({images, shape.channels, shape.height, shape.width}, memory::data_type::f32,
                      tag);
}

// Weights as oneDNN describes them: OIHW, or GOIHW for a grouped (depthwise) conv.
memory::dims weight_dims(const Conv& c) {
  if (c.groups == 1) return {c.out_channels, c.in_channels, c.kernel_h, c.kernel_w};
  return {c.groups, c.out_channels / c.groups, c.in_channels / c.groups, c.kernel_h, c.kernel_w};
}

// The conv's post-ops: the residual sum (Conv::accumulate), then its activation.
dnnl::primitive_attr conv_attr(const Conv& c) {
  dnnl::post_ops ops;
  if (c.accumulate) ops.append_sum(1.0f);
  switch (c.activation) {
    case ConvActivation::kRelu:
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      break;
    case ConvActivation::kSilu:  // oneDNN's swish: x * sigmoid(alpha x)
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_swish, 1.0f, 0.0f);
      break;
    case ConvActivation::kSigmoid:
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f);
      break;
    case ConvActivation::kNone:
      break;
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  return attr;
}

base::Status onednn_error(const dnnl::error& e, std::string_view doing) {
  return base::Status::internal(
      fmt::format("oneDNN: {}: {} (status {})", doing, e.what(), static_cast<int>(e.status)));
}

}  // namespace

struct OneDnnNetwork::Plan {
  // One primitive call. Buffers are float offsets into the network's arena; for stages run
  // image by image they move by one image stride between calls.
  struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, memory> args;
    std::size_t src = 0;  // image 0
    std::size_t dst = 0;
    std::size_t src1 = 0;        // ChannelScale's scale (DNNL_ARG_SRC_1), if the step has one
    std::size_t src_stride = 0;  // floats from one image to the next
    std::size_t dst_stride = 0;
    std::size_t src1_stride = 0;
  };
  struct StagePlan {
    bool per_image = false;
    std::vector<Step> steps;
    std::size_t output = 0;  // all images, blocked (nChw16c or nChw8c)
    Shape output_shape;
  };

  std::size_t input = 0;  // count x 3 x size x size, NCHW
  std::size_t arena_bytes = 0;
  std::vector<StagePlan> stages;
};

OneDnnNetwork::OneDnnNetwork(const std::vector<Stage>& stages, std::vector<FoldedConv> convs,
                             std::size_t height, std::size_t width, NetworkOutput output)
    : engine_(dnnl::engine::kind::cpu, 0),
      stream_(engine_),
      stages_(stages),
      height_(height),
      width_(width),
      output_(output),
      convs_(std::move(convs)) {
  // oneDNN's fast (jit) convolution and pooling kernels read 16-channel blocks on AVX-512
  // and 8-channel blocks on AVX2; in the other layout they fall back to reference loops
  // (~100x slower). Every channel count of the graphs is a multiple of 16, so either works.
  // cpu_isa values are bit sets: an ISA includes avx512_core when it has all of its bits.
  const auto core = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  const bool avx512 = (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & core) == core;
  blocked_ = avx512 ? Tag::nChw16c : Tag::nChw8c;
  block_ = avx512 ? 16 : 8;
}

OneDnnNetwork::~OneDnnNetwork() = default;

base::Result<std::unique_ptr<OneDnnNetwork>> OneDnnNetwork::create(std::vector<FoldedConv> convs,
                                                                   std::size_t input_size) {
  return create(fid_inception_stages(), std::move(convs), input_size, input_size,
                NetworkOutput::kSpatialMean);
}

std::size_t OneDnnNetwork::output_floats(std::size_t stage_count) const {
  QTUNE_CHECK(stage_count >= 1 && stage_count <= stages_.size());
  Shape shape{3, static_cast<std::int64_t>(height_), static_cast<std::int64_t>(width_)};
  for (std::size_t s = 0; s < stage_count; ++s) {
    shape = stage_buffer_shapes(stages_[s], shape)[kStageOutput];
  }
  return static_cast<std::size_t>(output_ == NetworkOutput::kSpatialMean ? shape.channels
                                                                         : shape.size());
}

base::Result<std::unique_ptr<OneDnnNetwork>> OneDnnNetwork::create(const std::vector<Stage>& stages,
                                                                   std::vector<FoldedConv> convs,
                                                                   std::size_t height,
                                                                   std::size_t width,
                                                                   NetworkOutput output) {
  try {
    std::unique_ptr<OneDnnNetwork> network(
        new OneDnnNetwork(stages, std::move(convs), height, width, output));
    network->weights_.resize(network->convs_.size());
    for (FoldedConv& conv : network->convs_) {
      memory::desc desc({static_cast<std::int64_t>(conv.bias.size())}, memory::data_type::f32,
                        Tag::x);
      network->biases_.emplace_back(desc, network->engine_, conv.bias.data());
    }
    return network;
  } catch (const dnnl::error& e) {
    return onednn_error(e, "creating the CPU engine");
  }
}

void OneDnnNetwork::set_threads(int threads) { omp_set_num_threads(threads); }

memory OneDnnNetwork::prepacked_weights(std::size_t conv, const memory::desc& desc) {
  std::vector<memory>& packed_so_far = weights_[conv];
  for (const memory& m : packed_so_far) {
    if (m.get_desc() == desc) return m;
  }
  // The first layout is reordered from the folded OIHW weights, which are then freed (they
  // would double the weights' memory); a layout asked later comes from the first one.
  std::vector<float>& oihw = convs_[conv].weights;
  const Tag plain = desc.dims().size() == 5 ? Tag::goihw : Tag::oihw;  // grouped: G x O/G x ...
  memory source =
      packed_so_far.empty()
          ? memory(memory::desc(desc.dims(), memory::data_type::f32, plain), engine_, oihw.data())
          : packed_so_far.front();
  memory packed(desc, engine_);
  dnnl::reorder(source, packed).execute(stream_, source, packed);
  stream_.wait();
  packed_so_far.push_back(packed);
  std::vector<float>().swap(oihw);
  return packed;
}

float* OneDnnNetwork::arena_for(std::size_t bytes) {
  if (!arena_ || arena_.get_desc().get_size() < bytes) {
    arena_ = memory(memory::desc({static_cast<std::int64_t>(bytes)}, memory::data_type::u8, Tag::x),
                    engine_);
  }
  return static_cast<float*>(arena_.get_data_handle());
}

// Builds the Plan for one batch size: a primitive per node of every stage, each activation
// buffer with the steps that write it first and read it last, then one arena in which
// buffers that are never alive together share memory.
class OneDnnNetwork::PlanBuilder {
 public:
  PlanBuilder(OneDnnNetwork& network, std::size_t count);
  std::unique_ptr<Plan> build();

 private:
  struct StepBuffers {
    std::size_t src = 0;
    std::size_t dst = 0;
    std::size_t dst_floats_in = 0;  // the channel slice a concatenating branch writes
    std::size_t src1 = kNoBuffer;   // ChannelScale's scale
  };
  // The buffers of the stage being planned, indexed like stage_buffer_shapes.
  struct StageBuffers {
    bool per_image = false;
    std::int64_t images = 0;  // images per primitive call
    std::vector<Shape> shapes;
    std::vector<std::size_t> ids;  // the arena buffer of each; kUnwritten until written
    std::vector<std::size_t> strides;
    std::size_t first_step = 0;
    std::size_t last_step = 0;
  };
  static constexpr std::size_t kUnwritten = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t kNoBuffer = std::numeric_limits<std::size_t>::max();

  std::size_t new_buffer(const memory::desc& desc, std::size_t first_step);
  void read_until(std::size_t buffer, std::size_t step);
  Plan::StagePlan plan_stage(const Stage& stage);
  StageBuffers stage_buffers(const Stage& stage, bool per_image);
  // The node's primitive calls (a conv the jit kernels cannot write blocked is followed by
  // a reorder); advances step_ by their number.
  std::vector<Plan::Step> plan_node(const Node& node, StageBuffers& buffers);
  bool reference_only(const Conv& c, const memory::desc& src_md, const memory::desc& dst_md);
  Plan::Step primitive_step(const Op& op, const memory::desc& src_md, const memory::desc& dst_md,
                            const memory::desc& src1_md);
  void add_conv(const Conv& c, const memory::desc& src_md, const memory::desc& dst_md,
                Plan::Step& plan_step);
  void add_pool(const Pool& p, const memory::desc& src_md, const memory::desc& dst_md,
                Plan::Step& plan_step);
  void place_buffers(Plan& plan) const;

  OneDnnNetwork& network_;
  const std::int64_t n_;
  std::vector<BufferLife> lives_;
  std::vector<std::vector<StepBuffers>> step_buffers_;  // per stage, per step
  std::vector<std::size_t> stage_outputs_;
  std::size_t step_ = 0;
  std::size_t conv_index_ = 0;
  // The next stage's input.
  Shape in_shape_;
  std::size_t in_buffer_ = 0;
  bool network_input_ = true;
};

OneDnnNetwork::PlanBuilder::PlanBuilder(OneDnnNetwork& network, std::size_t count)
    : network_(network), n_(static_cast<std::int64_t>(count)) {
  in_shape_ = Shape{3, static_cast<std::int64_t>(network.height_),
                    static_cast<std::int64_t>(network.width_)};
  in_buffer_ = new_buffer(activation_desc(n_, in_shape_, Tag::nchw), step_);
}

std::unique_ptr<OneDnnNetwork::Plan> OneDnnNetwork::PlanBuilder::build() {
  auto plan = std::make_unique<Plan>();
  for (const Stage& stage : network_.stages_) plan->stages.push_back(plan_stage(stage));
  place_buffers(*plan);
  return plan;
}

std::size_t OneDnnNetwork::PlanBuilder::new_buffer(const memory::desc& desc,
                                                   std::size_t first_step) {
  lives_.push_back(BufferLife{desc.get_size(), first_step, first_step});
  return lives_.size() - 1;
}

void OneDnnNetwork::PlanBuilder::read_until(std::size_t buffer, std::size_t step) {
  BufferLife& life = lives_[buffer];
  life.last_step = std::max(life.last_step, step);
}

OneDnnNetwork::Plan::StagePlan OneDnnNetwork::PlanBuilder::plan_stage(const Stage& stage) {
  Plan::StagePlan sp;
  // A branch writing at a non-zero channel offset needs the per-image layout (see header).
  sp.per_image = std::any_of(stage.nodes.begin(), stage.nodes.end(),
                             [](const Node& node) { return node.dst_channel_offset != 0; });
  StageBuffers buffers = stage_buffers(stage, sp.per_image);
  step_buffers_.emplace_back();
  for (const Node& node : stage.nodes) {
    for (Plan::Step& step : plan_node(node, buffers)) sp.steps.push_back(std::move(step));
  }
  buffers.last_step = step_ - 1;
  if (sp.per_image) read_until(buffers.ids[kStageInput], buffers.last_step);
  // The features are pooled from the output of whichever stage runs last.
  read_until(buffers.ids[kStageOutput], buffers.last_step);
  sp.output_shape = buffers.shapes[kStageOutput];
  in_shape_ = sp.output_shape;
  in_buffer_ = buffers.ids[kStageOutput];
  stage_outputs_.push_back(in_buffer_);
  network_input_ = false;
  return sp;
}

OneDnnNetwork::PlanBuilder::StageBuffers OneDnnNetwork::PlanBuilder::stage_buffers(
    const Stage& stage, bool per_image) {
  StageBuffers b;
  b.per_image = per_image;
  b.images = per_image ? 1 : n_;
  b.shapes = stage_buffer_shapes(stage, in_shape_);
  b.first_step = step_;
  b.last_step = step_ + stage.nodes.size() - 1;
  // The stage output holds every image; temporaries only what one call needs. Run image
  // by image, a stage's input and output are alive during all of it.
  b.ids.assign(b.shapes.size(), kUnwritten);
  b.strides.assign(b.shapes.size(), 0);
  b.ids[kStageInput] = in_buffer_;
  b.strides[kStageInput] = static_cast<std::size_t>(in_shape_.size());
  b.strides[kStageOutput] = static_cast<std::size_t>(b.shapes[kStageOutput].size());
  if (per_image) lives_[in_buffer_].last_step = b.last_step;
  return b;
}

// One node: its destination buffer (allocated when first written), and its primitive.
std::vector<OneDnnNetwork::Plan::Step> OneDnnNetwork::PlanBuilder::plan_node(const Node& node,
                                                                             StageBuffers& b) {
  const auto src_index = static_cast<std::size_t>(node.src);
  const auto dst_index = static_cast<std::size_t>(node.dst);
  const Shape& src_shape = b.shapes[src_index];
  const Shape dst_shape = output_shape(node.op, src_shape);
  const bool plain_src = network_input_ && node.src == kStageInput;
  const memory::desc src_md =
      activation_desc(b.images, src_shape, plain_src ? Tag::nchw : network_.blocked_);
  const memory::desc dst_md = activation_desc(b.images, dst_shape, network_.blocked_);

  if (b.ids[dst_index] == kUnwritten) {
    const std::int64_t held = node.dst == kStageOutput ? n_ : b.images;
    b.ids[dst_index] = new_buffer(activation_desc(held, b.shapes[dst_index], network_.blocked_),
                                  node.dst == kStageOutput && b.per_image ? b.first_step : step_);
  }
  const std::size_t dst_offset =
      static_cast<std::size_t>(node.dst_channel_offset * dst_shape.height * dst_shape.width);
  std::vector<Plan::Step> steps;
  // oneDNN's first-layer jit kernels (plain NCHW input) cover small kernels only; a conv
  // such as AlexNet's 11x11 stride 4 would run on the reference loops. It writes plain NCHW
  // instead (im2col + sgemm), and a reorder brings that to the blocked layout.
  const Conv* conv = std::get_if<Conv>(&node.op);
  if (plain_src && conv != nullptr && reference_only(*conv, src_md, dst_md)) {
    const memory::desc plain_md = activation_desc(b.images, dst_shape, Tag::nchw);
    const std::size_t plain = new_buffer(plain_md, step_);
    read_until(b.ids[src_index], step_);
    step_buffers_.back().push_back(StepBuffers{b.ids[src_index], plain, 0});
    Plan::Step conv_step = primitive_step(node.op, src_md, plain_md, memory::desc());
    conv_step.src_stride = b.strides[src_index];
    conv_step.dst_stride = static_cast<std::size_t>(dst_shape.size());
    steps.push_back(std::move(conv_step));
    ++step_;
    read_until(plain, step_);
    step_buffers_.back().push_back(StepBuffers{plain, b.ids[dst_index], dst_offset});
    Plan::Step reorder_step;
    memory from(plain_md, network_.engine_, DNNL_MEMORY_NONE);
    memory to(dst_md, network_.engine_, DNNL_MEMORY_NONE);
    reorder_step.primitive = dnnl::reorder(from, to);
    reorder_step.args.emplace(DNNL_ARG_FROM, from);
    reorder_step.args.emplace(DNNL_ARG_TO, to);
    reorder_step.src_stride = static_cast<std::size_t>(dst_shape.size());
    reorder_step.dst_stride = b.strides[dst_index];
    steps.push_back(std::move(reorder_step));
    ++step_;
    return steps;
  }
  read_until(b.ids[src_index], step_);
  StepBuffers buffers{b.ids[src_index], b.ids[dst_index], dst_offset};
  memory::desc src1_md;
  std::size_t src1_stride = 0;
  if (const ChannelScale* scale = std::get_if<ChannelScale>(&node.op)) {
    const auto scale_index = static_cast<std::size_t>(scale->scale);
    QTUNE_CHECK(b.ids[scale_index] != kUnwritten);
    buffers.src1 = b.ids[scale_index];
    read_until(buffers.src1, step_);
    src1_md = activation_desc(b.images, b.shapes[scale_index], network_.blocked_);
    src1_stride = b.strides[scale_index];
  }
  step_buffers_.back().push_back(buffers);
  Plan::Step plan_step = primitive_step(node.op, src_md, dst_md, src1_md);
  plan_step.src_stride = b.strides[src_index];
  plan_step.dst_stride = b.strides[dst_index];
  plan_step.src1_stride = src1_stride;
  steps.push_back(std::move(plan_step));
  ++step_;
  return steps;
}

bool OneDnnNetwork::PlanBuilder::reference_only(const Conv& c, const memory::desc& src_md,
                                                const memory::desc& dst_md) {
  const memory::desc weights_md(weight_dims(c), memory::data_type::f32, Tag::any);
  const memory::desc bias_md({c.out_channels}, memory::data_type::f32, Tag::x);
  const dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md, weights_md,
      bias_md, dst_md, {c.stride, c.stride}, {c.pad_h, c.pad_w}, {c.pad_h, c.pad_w});
  const dnnl::convolution_forward::primitive_desc pd(desc, conv_attr(c), network_.engine_);
  return std::string_view(pd.impl_info_str()).rfind("ref", 0) == 0;
}

OneDnnNetwork::Plan::Step OneDnnNetwork::PlanBuilder::primitive_step(const Op& op,
                                                                     const memory::desc& src_md,
                                                                     const memory::desc& dst_md,
                                                                     const memory::desc& src1_md) {
  // DNNL_ARG_SRC is also a reorder's DNNL_ARG_FROM and a binary's DNNL_ARG_SRC_0;
  // DNNL_ARG_DST a reorder's DNNL_ARG_TO.
  Plan::Step plan_step;
  plan_step.args.emplace(DNNL_ARG_SRC, memory(src_md, network_.engine_, DNNL_MEMORY_NONE));
  plan_step.args.emplace(DNNL_ARG_DST, memory(dst_md, network_.engine_, DNNL_MEMORY_NONE));
  if (const Conv* c = std::get_if<Conv>(&op)) {
    add_conv(*c, src_md, dst_md, plan_step);
  } else if (const Pool* p = std::get_if<Pool>(&op)) {
    add_pool(*p, src_md, dst_md, plan_step);
  } else if (std::holds_alternative<Copy>(op)) {
    plan_step.primitive =
        dnnl::reorder(plan_step.args.at(DNNL_ARG_SRC), plan_step.args.at(DNNL_ARG_DST));
  } else {
    // src * scale, the scale (channels x 1 x 1 per image) broadcast over the plane.
    const dnnl::binary::desc desc(dnnl::algorithm::binary_mul, src_md, src1_md, dst_md);
    plan_step.primitive = dnnl::binary(dnnl::binary::primitive_desc(desc, network_.engine_));
    plan_step.args.emplace(DNNL_ARG_SRC_1, memory(src1_md, network_.engine_, DNNL_MEMORY_NONE));
  }
  return plan_step;
}

// A convolution with the folded batch norm's bias and a ReLU; its weights prepacked.
void OneDnnNetwork::PlanBuilder::add_conv(const Conv& c, const memory::desc& src_md,
                                          const memory::desc& dst_md, Plan::Step& plan_step) {
  const dnnl::memory& bias = network_.biases_[conv_index_];
  const memory::desc weights_md(weight_dims(c), memory::data_type::f32, Tag::any);
  const dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md, weights_md,
      bias.get_desc(), dst_md, {c.stride, c.stride}, {c.pad_h, c.pad_w}, {c.pad_h, c.pad_w});
  const dnnl::convolution_forward::primitive_desc pd(desc, conv_attr(c), network_.engine_);
  plan_step.primitive = dnnl::convolution_forward(pd);
  plan_step.args.emplace(DNNL_ARG_WEIGHTS,
                         network_.prepacked_weights(conv_index_, pd.weights_desc()));
  plan_step.args.emplace(DNNL_ARG_BIAS, bias);
  ++conv_index_;
}

void OneDnnNetwork::PlanBuilder::add_pool(const Pool& p, const memory::desc& src_md,
                                          const memory::desc& dst_md, Plan::Step& plan_step) {
  const auto algorithm = p.kind == PoolKind::kMax ? dnnl::algorithm::pooling_max
                         : p.kind == PoolKind::kAverageIncludingPadding
                             ? dnnl::algorithm::pooling_avg_include_padding
                             : dnnl::algorithm::pooling_avg_exclude_padding;
  // A global average is one window over the whole plane.
  const bool global = p.kind == PoolKind::kGlobalAverage;
  const memory::dims kernel =
      global ? memory::dims{src_md.dims()[2], src_md.dims()[3]} : memory::dims{p.kernel, p.kernel};
  const memory::dims stride = global ? memory::dims{1, 1} : memory::dims{p.stride, p.stride};
  const memory::dims pad = global ? memory::dims{0, 0} : memory::dims{p.pad, p.pad};
  const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src_md,
                                         dst_md, stride, kernel, pad, pad);
  plan_step.primitive =
      dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(desc, network_.engine_));
}

// Lays the buffers out in one arena and points every step at its buffers' offsets.
void OneDnnNetwork::PlanBuilder::place_buffers(Plan& plan) const {
  // oneDNN's own allocations are 64-byte aligned; keep every buffer so.
  constexpr std::size_t kAlignment = 64;
  const ArenaLayout layout = lay_out_arena(lives_, kAlignment);
  auto at = [&layout](std::size_t buffer_id) { return layout.offsets[buffer_id] / sizeof(float); };
  plan.input = at(0);
  plan.arena_bytes = layout.size;
  for (std::size_t s = 0; s < plan.stages.size(); ++s) {
    Plan::StagePlan& sp = plan.stages[s];
    for (std::size_t k = 0; k < sp.steps.size(); ++k) {
      sp.steps[k].src = at(step_buffers_[s][k].src);
      sp.steps[k].dst = at(step_buffers_[s][k].dst) + step_buffers_[s][k].dst_floats_in;
      if (step_buffers_[s][k].src1 != kNoBuffer) sp.steps[k].src1 = at(step_buffers_[s][k].src1);
    }
    sp.output = at(stage_outputs_[s]);
  }
}

OneDnnNetwork::Plan& OneDnnNetwork::plan_for(std::size_t count) {
  auto found = plans_.find(count);
  if (found != plans_.end()) return *found->second;
  return *plans_.emplace(count, PlanBuilder(*this, count).build()).first->second;
}

base::Status OneDnnNetwork::forward(std::span<const float> input, std::size_t count,
                                    std::size_t stage_count, std::span<float> features) {
  QTUNE_CHECK(stage_count >= 1 && stage_count <= stages_.size());
  try {
    Plan& plan = plan_for(count);
    QTUNE_CHECK(input.size() == count * 3 * height_ * width_);
    float* arena = arena_for(plan.arena_bytes);
    std::memcpy(arena + plan.input, input.data(), input.size_bytes());
    for (std::size_t s = 0; s < stage_count; ++s) {
      Plan::StagePlan& stage = plan.stages[s];
      const std::size_t calls = stage.per_image ? count : 1;
      for (std::size_t i = 0; i < calls; ++i) {
        for (Plan::Step& step : stage.steps) {
          step.args.at(DNNL_ARG_SRC).set_data_handle(arena + step.src + i * step.src_stride);
          step.args.at(DNNL_ARG_DST).set_data_handle(arena + step.dst + i * step.dst_stride);
          if (auto scale = step.args.find(DNNL_ARG_SRC_1); scale != step.args.end()) {
            scale->second.set_data_handle(arena + step.src1 + i * step.src1_stride);
          }
          step.primitive.execute(stream_, step.args);
        }
      }
    }
    stream_.wait();

    // From the blocked layout: the global average pool (pytorch-fid's adaptive_avg_pool2d to 1x1),
    // or the whole map in NCHW order (torch's flatten(1)).
    const Plan::StagePlan& last = plan.stages[stage_count - 1];
    const auto channels = static_cast<std::size_t>(last.output_shape.channels);
    const auto pixels =
        static_cast<std::size_t>(last.output_shape.height * last.output_shape.width);
    const std::size_t per_image =
        output_ == NetworkOutput::kSpatialMean ? channels : channels * pixels;
    QTUNE_CHECK(features.size() == count * per_image);
    const std::size_t bw = block_;
    const std::size_t padded_channels = (channels + bw - 1) / bw * bw;
    for (std::size_t i = 0; i < count; ++i) {
      const float* image = arena + last.output + i * padded_channels * pixels;
      for (std::size_t c = 0; c < channels; ++c) {
        const float* block = image + (c / bw) * pixels * bw + c % bw;
        if (output_ == NetworkOutput::kFullMap) {
          float* out = features.data() + i * per_image + c * pixels;
          for (std::size_t p = 0; p < pixels; ++p) out[p] = block[p * bw];
          continue;
        }
        double sum = 0;
        for (std::size_t p = 0; p < pixels; ++p) sum += static_cast<double>(block[p * bw]);
        features[i * channels + c] = static_cast<float>(sum / static_cast<double>(pixels));
      }
    }
    return base::Status::ok();
  } catch (const dnnl::error& e) {
    return onednn_error(e, "running the network");
  }
}

}  // namespace qtune::metrics::nn
