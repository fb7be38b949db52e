#include "metrics/nn/onednn_network.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "metrics/nn/fid_graph.h"
#include "qtune/base/check.h"

namespace qtune::metrics::nn {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

memory::desc activation_desc(std::int64_t images, const Shape& shape, Tag tag) {
  return memory::desc({images, shape.channels, shape.height, shape.width}, memory::data_type::f32, tag);
}

base::Status onednn_error(const dnnl::error& e, std::string_view doing) {
  return base::Status::internal(fmt::format("oneDNN: {}: {} (status {})", doing, e.what(), static_cast<int>(e.status)));
}

}  // namespace

struct OneDnnNetwork::Plan {
  // One primitive call. For stages run image by image, the source and destination handles
  // are moved by one image stride between calls.
  struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, memory> args;
    float* src = nullptr;  // image 0
    float* dst = nullptr;
    std::size_t src_stride = 0;  // floats from one image to the next
    std::size_t dst_stride = 0;
  };
  struct StagePlan {
    bool per_image = false;
    std::vector<Step> steps;
    float* output = nullptr;  // all images, nChw16c
    Shape output_shape;
  };

  memory input;                // count x 3 x size x size, NCHW
  std::vector<memory> owned;   // the activation buffers (oneDNN-allocated, aligned)
  std::vector<StagePlan> stages;
};

OneDnnNetwork::OneDnnNetwork(std::vector<FoldedConv> convs, std::size_t input_size)
    : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_), input_size_(input_size), convs_(std::move(convs)) {}

OneDnnNetwork::~OneDnnNetwork() = default;

base::Result<std::unique_ptr<OneDnnNetwork>> OneDnnNetwork::create(std::vector<FoldedConv> convs,
                                                                   std::size_t input_size) {
  try {
    std::unique_ptr<OneDnnNetwork> network(new OneDnnNetwork(std::move(convs), input_size));
    network->weights_.resize(network->convs_.size());
    for (FoldedConv& conv : network->convs_) {
      memory::desc desc({static_cast<std::int64_t>(conv.bias.size())}, memory::data_type::f32, Tag::x);
      network->biases_.emplace_back(desc, network->engine_, conv.bias.data());
    }
    return network;
  } catch (const dnnl::error& e) {
    return onednn_error(e, "creating the CPU engine");
  }
}

void OneDnnNetwork::set_threads(int threads) { omp_set_num_threads(threads); }

memory OneDnnNetwork::prepacked_weights(std::size_t conv, const memory::desc& desc) {
  for (const memory& m : weights_[conv]) {
    if (m.get_desc() == desc) return m;
  }
  const auto& dims = desc.dims();
  memory plain(memory::desc(dims, memory::data_type::f32, Tag::oihw), engine_, convs_[conv].weights.data());
  memory packed(desc, engine_);
  dnnl::reorder(plain, packed).execute(stream_, plain, packed);
  stream_.wait();
  weights_[conv].push_back(packed);
  return packed;
}

OneDnnNetwork::Plan& OneDnnNetwork::plan_for(std::size_t count) {
  auto found = plans_.find(count);
  if (found != plans_.end()) return *found->second;

  auto plan = std::make_unique<Plan>();
  const auto n = static_cast<std::int64_t>(count);
  const auto side = static_cast<std::int64_t>(input_size_);
  Shape in_shape{3, side, side};
  plan->input = memory(activation_desc(n, in_shape, Tag::nchw), engine_);
  float* in_ptr = static_cast<float*>(plan->input.get_data_handle());
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

    std::vector<float*> ptrs(shapes.size());
    std::vector<std::size_t> strides(shapes.size(), 0);
    ptrs[kStageInput] = in_ptr;
    strides[kStageInput] = static_cast<std::size_t>(in_shape.size());
    for (std::size_t b = kStageOutput; b < shapes.size(); ++b) {
      // The stage output holds every image; temporaries only what one call needs.
      const std::int64_t held = b == kStageOutput ? n : images;
      plan->owned.emplace_back(activation_desc(held, shapes[b], Tag::nChw16c), engine_);
      ptrs[b] = static_cast<float*>(plan->owned.back().get_data_handle());
      strides[b] = b == kStageOutput ? static_cast<std::size_t>(shapes[b].size()) : 0;
    }

    for (const Node& node : stage.nodes) {
      const auto src_index = static_cast<std::size_t>(node.src);
      const auto dst_index = static_cast<std::size_t>(node.dst);
      const Shape& src_shape = shapes[src_index];
      Shape dst_shape = output_shape(node.op, src_shape);
      const memory::desc src_md =
          activation_desc(images, src_shape, network_input && node.src == kStageInput ? Tag::nchw : Tag::nChw16c);
      const memory::desc dst_md = activation_desc(images, dst_shape, Tag::nChw16c);

      Plan::Step step;
      step.src = ptrs[src_index];
      step.src_stride = strides[src_index];
      step.dst = ptrs[dst_index] + node.dst_channel_offset * dst_shape.height * dst_shape.width;
      step.dst_stride = strides[dst_index];
      step.args.emplace(DNNL_ARG_SRC, memory(src_md, engine_, step.src));
      step.args.emplace(DNNL_ARG_DST, memory(dst_md, engine_, step.dst));
      if (const Conv* c = std::get_if<Conv>(&node.op)) {
        const memory::desc weights_md({c->out_channels, c->in_channels, c->kernel_h, c->kernel_w},
                                      memory::data_type::f32, Tag::any);
        const dnnl::convolution_forward::desc desc(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_md, weights_md,
            biases_[conv_index].get_desc(), dst_md, {c->stride, c->stride}, {c->pad_h, c->pad_w}, {c->pad_h, c->pad_w});
        const dnnl::convolution_forward::primitive_desc pd(desc, conv_attr, engine_);
        step.primitive = dnnl::convolution_forward(pd);
        step.args.emplace(DNNL_ARG_WEIGHTS, prepacked_weights(conv_index, pd.weights_desc()));
        step.args.emplace(DNNL_ARG_BIAS, biases_[conv_index]);
        ++conv_index;
      } else {
        const Pool& p = std::get<Pool>(node.op);
        const auto algorithm = p.kind == PoolKind::kMax ? dnnl::algorithm::pooling_max
                                                        : dnnl::algorithm::pooling_avg_exclude_padding;
        const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src_md, dst_md,
                                               {p.stride, p.stride}, {p.kernel, p.kernel}, {p.pad, p.pad},
                                               {p.pad, p.pad});
        step.primitive = dnnl::pooling_forward(dnnl::pooling_forward::primitive_desc(desc, engine_));
      }
      sp.steps.push_back(std::move(step));
    }
    sp.output = ptrs[kStageOutput];
    sp.output_shape = shapes[kStageOutput];
    in_shape = sp.output_shape;
    in_ptr = sp.output;
    network_input = false;
    plan->stages.push_back(std::move(sp));
  }
  return *plans_.emplace(count, std::move(plan)).first->second;
}

base::Status OneDnnNetwork::forward(std::span<const float> input, std::size_t count, std::size_t stage_count,
                                    std::span<float> features) {
  QTUNE_CHECK(stage_count >= 1 && stage_count <= fid_inception_stages().size());
  try {
    Plan& plan = plan_for(count);
    QTUNE_CHECK(input.size() == count * 3 * input_size_ * input_size_);
    std::memcpy(plan.input.get_data_handle(), input.data(), input.size_bytes());
    for (std::size_t s = 0; s < stage_count; ++s) {
      Plan::StagePlan& stage = plan.stages[s];
      const std::size_t calls = stage.per_image ? count : 1;
      for (std::size_t i = 0; i < calls; ++i) {
        for (Plan::Step& step : stage.steps) {
          step.args.at(DNNL_ARG_SRC).set_data_handle(step.src + i * step.src_stride);
          step.args.at(DNNL_ARG_DST).set_data_handle(step.dst + i * step.dst_stride);
          step.primitive.execute(stream_, step.args);
        }
      }
    }
    stream_.wait();

    // Global average pool (pytorch-fid's adaptive_avg_pool2d to 1x1) over nChw16c.
    const Plan::StagePlan& last = plan.stages[stage_count - 1];
    const auto channels = static_cast<std::size_t>(last.output_shape.channels);
    const auto pixels = static_cast<std::size_t>(last.output_shape.height * last.output_shape.width);
    QTUNE_CHECK(features.size() == count * channels);
    for (std::size_t i = 0; i < count; ++i) {
      const float* image = last.output + i * channels * pixels;
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
