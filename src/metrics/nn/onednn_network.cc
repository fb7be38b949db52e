#include "metrics/nn/onednn_network.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <limits>
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
    std::size_t src_stride = 0;  // floats from one image to the next
    std::size_t dst_stride = 0;
  };
  struct StagePlan {
    bool per_image = false;
    std::vector<Step> steps;
    std::size_t output = 0;  // all images, nChw16c
    Shape output_shape;
  };

  std::size_t input = 0;  // count x 3 x size x size, NCHW
  std::size_t arena_bytes = 0;
  std::vector<StagePlan> stages;
};

OneDnnNetwork::OneDnnNetwork(std::vector<FoldedConv> convs, std::size_t input_size)
    : engine_(dnnl::engine::kind::cpu, 0),
      stream_(engine_),
      input_size_(input_size),
      convs_(std::move(convs)) {}

OneDnnNetwork::~OneDnnNetwork() = default;

base::Result<std::unique_ptr<OneDnnNetwork>> OneDnnNetwork::create(std::vector<FoldedConv> convs,
                                                                   std::size_t input_size) {
  try {
    std::unique_ptr<OneDnnNetwork> network(new OneDnnNetwork(std::move(convs), input_size));
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
  memory source = packed_so_far.empty()
                      ? memory(memory::desc(desc.dims(), memory::data_type::f32, Tag::oihw),
                               engine_, oihw.data())
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

OneDnnNetwork::Plan& OneDnnNetwork::plan_for(std::size_t count) {
  auto found = plans_.find(count);
  if (found != plans_.end()) return *found->second;

  auto plan = std::make_unique<Plan>();
  const auto n = static_cast<std::int64_t>(count);
  const auto side = static_cast<std::int64_t>(input_size_);
  Shape in_shape{3, side, side};

  // Every activation buffer with the steps that write it first and read it last: the
  // arena layout lets buffers that are never alive together share memory.
  std::vector<BufferLife> lives;
  auto new_buffer = [&lives](const memory::desc& desc, std::size_t step) {
    lives.push_back(BufferLife{desc.get_size(), step, step});
    return lives.size() - 1;
  };
  struct StepBuffers {
    std::size_t src = 0;
    std::size_t dst = 0;
    std::size_t dst_floats_in = 0;  // the channel slice a concatenating branch writes
  };
  std::vector<std::vector<StepBuffers>> step_buffers;  // per stage, per step
  std::vector<std::size_t> stage_outputs;
  std::size_t step = 0;
  std::size_t in_buffer = new_buffer(activation_desc(n, in_shape, Tag::nchw), step);
  bool network_input = true;
  std::size_t conv_index = 0;

  dnnl::post_ops relu;
  relu.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  dnnl::primitive_attr conv_attr;
  conv_attr.set_post_ops(relu);

  for (const Stage& stage : fid_inception_stages()) {
    Plan::StagePlan sp;
    // A branch writing at a non-zero channel offset needs the per-image layout (see header).
    sp.per_image = std::any_of(stage.nodes.begin(), stage.nodes.end(),
                               [](const Node& node) { return node.dst_channel_offset != 0; });
    const std::int64_t images = sp.per_image ? 1 : n;
    const std::vector<Shape> shapes = stage_buffer_shapes(stage, in_shape);
    const std::size_t stage_first = step;
    const std::size_t stage_last = step + stage.nodes.size() - 1;

    // The stage output holds every image; temporaries only what one call needs. Run image
    // by image, a stage's input and output are alive during all of it.
    constexpr std::size_t kUnwritten = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> buffer(shapes.size(), kUnwritten);
    std::vector<std::size_t> strides(shapes.size(), 0);
    buffer[kStageInput] = in_buffer;
    strides[kStageInput] = static_cast<std::size_t>(in_shape.size());
    strides[kStageOutput] = static_cast<std::size_t>(shapes[kStageOutput].size());
    if (sp.per_image) lives[in_buffer].last_step = stage_last;

    std::vector<StepBuffers>& stage_steps = step_buffers.emplace_back();
    for (const Node& node : stage.nodes) {
      const auto src_index = static_cast<std::size_t>(node.src);
      const auto dst_index = static_cast<std::size_t>(node.dst);
      const Shape& src_shape = shapes[src_index];
      Shape dst_shape = output_shape(node.op, src_shape);
      const memory::desc src_md = activation_desc(
          images, src_shape, network_input && node.src == kStageInput ? Tag::nchw : Tag::nChw16c);
      const memory::desc dst_md = activation_desc(images, dst_shape, Tag::nChw16c);

      if (buffer[dst_index] == kUnwritten) {
        const std::int64_t held = node.dst == kStageOutput ? n : images;
        buffer[dst_index] =
            new_buffer(activation_desc(held, shapes[dst_index], Tag::nChw16c),
                       node.dst == kStageOutput && sp.per_image ? stage_first : step);
      }
      BufferLife& src_life = lives[buffer[src_index]];
      src_life.last_step = std::max(src_life.last_step, step);
      stage_steps.push_back(StepBuffers{
          buffer[src_index], buffer[dst_index],
          static_cast<std::size_t>(node.dst_channel_offset * dst_shape.height * dst_shape.width)});

      Plan::Step plan_step;
      plan_step.src_stride = strides[src_index];
      plan_step.dst_stride = strides[dst_index];
      plan_step.args.emplace(DNNL_ARG_SRC, memory(src_md, engine_, DNNL_MEMORY_NONE));
      plan_step.args.emplace(DNNL_ARG_DST, memory(dst_md, engine_, DNNL_MEMORY_NONE));
      if (const Conv* c = std::get_if<Conv>(&node.op)) {
        const memory::desc weights_md({c->out_channels, c->in_channels, c->kernel_h, c->kernel_w},
                                      memory::data_type::f32, Tag::any);
        const dnnl::convolution_forward::desc desc(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md,
            weights_md, biases_[conv_index].get_desc(), dst_md, {c->stride, c->stride},
            {c->pad_h, c->pad_w}, {c->pad_h, c->pad_w});
        const dnnl::convolution_forward::primitive_desc pd(desc, conv_attr, engine_);
        plan_step.primitive = dnnl::convolution_forward(pd);
        plan_step.args.emplace(DNNL_ARG_WEIGHTS, prepacked_weights(conv_index, pd.weights_desc()));
        plan_step.args.emplace(DNNL_ARG_BIAS, biases_[conv_index]);
        ++conv_index;
      } else {
        const Pool& p = std::get<Pool>(node.op);
        const auto algorithm = p.kind == PoolKind::kMax
                                   ? dnnl::algorithm::pooling_max
                                   : dnnl::algorithm::pooling_avg_exclude_padding;
        const dnnl::pooling_forward::desc desc(
            dnnl::prop_kind::forward_inference, algorithm, src_md, dst_md, {p.stride, p.stride},
            {p.kernel, p.kernel}, {p.pad, p.pad}, {p.pad, p.pad});
        plan_step.primitive =
            dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(desc, engine_));
      }
      sp.steps.push_back(std::move(plan_step));
      ++step;
    }
    // The features are pooled from the output of whichever stage runs last.
    BufferLife& out_life = lives[buffer[kStageOutput]];
    out_life.last_step = std::max(out_life.last_step, stage_last);
    sp.output_shape = shapes[kStageOutput];
    in_shape = sp.output_shape;
    in_buffer = buffer[kStageOutput];
    stage_outputs.push_back(in_buffer);
    network_input = false;
    plan->stages.push_back(std::move(sp));
  }

  // oneDNN's own allocations are 64-byte aligned; keep every buffer so.
  constexpr std::size_t kAlignment = 64;
  const ArenaLayout layout = lay_out_arena(lives, kAlignment);
  auto at = [&layout](std::size_t buffer_id) { return layout.offsets[buffer_id] / sizeof(float); };
  plan->input = at(0);
  plan->arena_bytes = layout.size;
  for (std::size_t s = 0; s < plan->stages.size(); ++s) {
    Plan::StagePlan& sp = plan->stages[s];
    for (std::size_t k = 0; k < sp.steps.size(); ++k) {
      sp.steps[k].src = at(step_buffers[s][k].src);
      sp.steps[k].dst = at(step_buffers[s][k].dst) + step_buffers[s][k].dst_floats_in;
    }
    sp.output = at(stage_outputs[s]);
  }
  return *plans_.emplace(count, std::move(plan)).first->second;
}

base::Status OneDnnNetwork::forward(std::span<const float> input, std::size_t count,
                                    std::size_t stage_count, std::span<float> features) {
  QTUNE_CHECK(stage_count >= 1 && stage_count <= fid_inception_stages().size());
  try {
    Plan& plan = plan_for(count);
    QTUNE_CHECK(input.size() == count * 3 * input_size_ * input_size_);
    float* arena = arena_for(plan.arena_bytes);
    std::memcpy(arena + plan.input, input.data(), input.size_bytes());
    for (std::size_t s = 0; s < stage_count; ++s) {
      Plan::StagePlan& stage = plan.stages[s];
      const std::size_t calls = stage.per_image ? count : 1;
      for (std::size_t i = 0; i < calls; ++i) {
        for (Plan::Step& step : stage.steps) {
          step.args.at(DNNL_ARG_SRC).set_data_handle(arena + step.src + i * step.src_stride);
          step.args.at(DNNL_ARG_DST).set_data_handle(arena + step.dst + i * step.dst_stride);
          step.primitive.execute(stream_, step.args);
        }
      }
    }
    stream_.wait();

    // Global average pool (pytorch-fid's adaptive_avg_pool2d to 1x1) over nChw16c.
    const Plan::StagePlan& last = plan.stages[stage_count - 1];
    const auto channels = static_cast<std::size_t>(last.output_shape.channels);
    const auto pixels =
        static_cast<std::size_t>(last.output_shape.height * last.output_shape.width);
    QTUNE_CHECK(features.size() == count * channels);
    for (std::size_t i = 0; i < count; ++i) {
      const float* image = arena + last.output + i * channels * pixels;
      for (std::size_t c = 0; c < channels; ++c) {
        const float* block = image + (c / 16) * pixels * 16 + c % 16;
        double sum = 0;
        for (std::size_t p = 0; p < pixels; ++p) sum += static_cast<double>(block[p * 16]);
        features[i * channels + c] = static_cast<float>(sum / static_cast<double>(pixels));
      }
    }
    return base::Status::ok();
  } catch (const dnnl::error& e) {
    return onednn_error(e, "running the FID Inception");
  }
}

}  // namespace qtune::metrics::nn
