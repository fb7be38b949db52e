#include "metrics/nn/vit_network.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qtune::metrics::nn {
namespace {

using dnnl::memory;
using Dims = memory::dims;
using Tag = memory::format_tag;

constexpr float kLayerNormEps = 1e-5f;  // torch.nn.LayerNorm's default, which CLIP keeps
constexpr float kQuickGeluAlpha = 1.702f;

memory::desc token_md(const Dims& dims) {
  const Tag tag = dims.size() == 1 ? Tag::a : dims.size() == 2 ? Tag::ab : Tag::abc;
  return memory::desc(dims, memory::data_type::f32, tag);
}

// torch's [out, in] matrix read as the [in, out] weights of a matmul.
memory::desc transposed(std::int64_t out, std::int64_t in) {
  return memory::desc({in, out}, memory::data_type::f32, Tag::ba);
}

base::Status vit_error(const dnnl::error& e, std::string_view doing) {
  return base::Status::internal(
      fmt::format("oneDNN: {}: {} (status {})", doing, e.what(), static_cast<int>(e.status)));
}

float* buf(std::vector<float>& v) { return v.data(); }

}  // namespace

struct VitNetwork::Plan {
  struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, memory> args;
  };
  std::size_t count = 0;
  // Activations, row-major token matrices (B images x T tokens rows).
  std::vector<float> patches;   // [B grid^2, 3 patch^2]
  std::vector<float> embedded;  // [B grid^2, width]
  std::vector<float> x;         // [B T, width]: the residual stream
  std::vector<float> h;         // [B T, width]: a layer norm's output, then attention's
  std::vector<float> qkv;       // [B T, 3 width]
  std::vector<float> heads;     // [3, B, heads, T, head_dim]: q, k, v head-major
  std::vector<float> scores;    // [B heads, T, T]
  std::vector<float> attended;  // [B heads, T, head_dim]
  std::vector<float> hidden;    // [B T, 4 width]
  std::vector<float> cls;       // [B, width]
  std::vector<float> cls_norm;  // [B, width]
  std::vector<Step> embed;      // the patch matmul
  std::vector<Step> steps;      // ln_pre, the blocks, ln_post, proj
  memory features;              // [B, output_dim], pointed at forward()'s span
};

VitNetwork::VitNetwork(VitWeights weights)
    : weights_(std::move(weights)), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {}

VitNetwork::~VitNetwork() = default;

base::Result<std::unique_ptr<VitNetwork>> VitNetwork::create(VitWeights weights) {
  const VitConfig& c = weights.config;
  QTUNE_CHECK(c.width > 0 && c.heads > 0 && c.width % c.heads == 0 && c.layers > 0 &&
              c.grid * c.patch == kClipInputSize &&
              weights.blocks.size() == static_cast<std::size_t>(c.layers));
  try {
    return std::unique_ptr<VitNetwork>(new VitNetwork(std::move(weights)));
  } catch (const dnnl::error& e) {
    return vit_error(e, "creating the CPU engine");
  }
}

void VitNetwork::set_threads(int threads) { omp_set_num_threads(threads); }

VitNetwork::Plan& VitNetwork::plan_for(std::size_t count) {
  auto& slot = plans_[count];
  if (slot) return *slot;
  const VitConfig& c = weights_.config;
  const auto b = static_cast<std::int64_t>(count);
  const std::int64_t d = c.width, t = c.tokens(), nh = c.heads, dh = c.head_dim();
  const std::int64_t rows = b * t, patches = b * c.grid * c.grid;
  const std::int64_t k = 3 * c.patch * c.patch;
  auto plan = std::make_unique<Plan>();
  Plan& p = *plan;
  p.count = count;
  const auto size = [](std::int64_t n) { return static_cast<std::size_t>(n); };
  p.patches.resize(size(patches * k));
  p.embedded.resize(size(patches * d));
  p.x.resize(size(rows * d));
  p.h.resize(size(rows * d));
  p.qkv.resize(size(rows * 3 * d));
  p.heads.resize(size(3 * rows * d));
  p.scores.resize(size(b * nh * t * t));
  p.attended.resize(size(rows * d));
  p.hidden.resize(size(rows * 4 * d));
  p.cls.resize(size(b * d));
  p.cls_norm.resize(size(b * d));

  const auto mem = [this](const memory::desc& desc, float* ptr) {
    return memory(desc, engine_, ptr);
  };
  const auto matmul = [this](const memory::desc& src, const memory::desc& wei,
                             const memory::desc* bias, const memory::desc& dst,
                             const dnnl::primitive_attr& attr) {
    const auto desc = bias != nullptr ? dnnl::matmul::desc(src, wei, *bias, dst)
                                      : dnnl::matmul::desc(src, wei, dst);
    return dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, engine_));
  };
  const dnnl::primitive_attr none;
  dnnl::primitive_attr residual;  // dst += result
  {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    residual.set_post_ops(ops);
  }
  dnnl::primitive_attr quick_gelu;
  {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_swish, kQuickGeluAlpha, 0.0f);
    quick_gelu.set_post_ops(ops);
  }
  dnnl::primitive_attr scaled;  // q k^T / sqrt(head_dim)
  scaled.set_output_scales(0, {1.0f / std::sqrt(static_cast<float>(dh))});

  // The patch embedding: [B grid^2, 3 patch^2] x conv1^T.
  const memory::desc patches_md = token_md({patches, k}), embedded_md = token_md({patches, d});
  p.embed.push_back({matmul(patches_md, transposed(d, k), nullptr, embedded_md, none),
                     {{DNNL_ARG_SRC, mem(patches_md, buf(p.patches))},
                      {DNNL_ARG_WEIGHTS, mem(transposed(d, k), buf(weights_.patch_weight))},
                      {DNNL_ARG_DST, mem(embedded_md, buf(p.embedded))}}});

  // Layer norms over rows of `width`.
  const auto layer_norm_pd = [this, d](std::int64_t n) {
    const dnnl::layer_normalization_forward::desc desc(
        dnnl::prop_kind::forward_inference, token_md({n, d}), kLayerNormEps,
        dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift);
    return dnnl::layer_normalization_forward::primitive_desc(desc, engine_);
  };
  const auto ln_rows = layer_norm_pd(rows), ln_cls = layer_norm_pd(b);
  const dnnl::layer_normalization_forward ln_rows_prim(ln_rows), ln_cls_prim(ln_cls);
  const auto add_norm = [&](const dnnl::layer_normalization_forward& prim,
                            const dnnl::layer_normalization_forward::primitive_desc& pd,
                            std::int64_t n, float* src, float* dst, VitLayerNorm& norm) {
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, mem(token_md({n, d}), src)},
                                         {DNNL_ARG_DST, mem(token_md({n, d}), dst)},
                                         {DNNL_ARG_SCALE, mem(token_md({d}), buf(norm.weight))},
                                         {DNNL_ARG_SHIFT, mem(token_md({d}), buf(norm.bias))}};
    // Inference computes the statistics in its scratchpad; should an implementation ask for
    // them as outputs, they get buffers of their own.
    if (pd.mean_desc().get_size() != 0) {
      args.emplace(DNNL_ARG_MEAN, memory(pd.mean_desc(), engine_));
      args.emplace(DNNL_ARG_VARIANCE, memory(pd.variance_desc(), engine_));
    }
    p.steps.push_back({prim, std::move(args)});
  };

  const memory::desc rows_md = token_md({rows, d}), qkv_md = token_md({rows, 3 * d}),
                     hidden_md = token_md({rows, 4 * d});
  const memory::desc qkv_bias_md = token_md({1, 3 * d}), bias_md = token_md({1, d}),
                     hidden_bias_md = token_md({1, 4 * d});
  const auto in_proj = matmul(rows_md, transposed(3 * d, d), &qkv_bias_md, qkv_md, none);
  const auto out_proj = matmul(rows_md, transposed(d, d), &bias_md, rows_md, residual);
  const auto c_fc = matmul(rows_md, transposed(4 * d, d), &hidden_bias_md, hidden_md, quick_gelu);
  const auto c_proj = matmul(hidden_md, transposed(d, 4 * d), &bias_md, rows_md, residual);

  // q, k, v out of the fused projection's rows into [3, B, heads, T, head_dim] (one reorder),
  // and the heads' outputs [B, heads, T, head_dim] back into rows [B, T, heads x head_dim].
  const memory::desc qkv_view({3, b, nh, t, dh}, memory::data_type::f32,
                              Dims{d, t * 3 * d, dh, 3 * d, 1});
  const memory::desc heads_md({3, b, nh, t, dh}, memory::data_type::f32, Tag::abcde);
  const memory::desc attended_md({b, nh, t, dh}, memory::data_type::f32, Tag::abcd);
  const memory::desc merged_view({b, nh, t, dh}, memory::data_type::f32, Dims{t * d, dh, d, 1});
  const dnnl::reorder split(dnnl::reorder::primitive_desc(engine_, qkv_view, engine_, heads_md));
  const dnnl::reorder merge(
      dnnl::reorder::primitive_desc(engine_, attended_md, engine_, merged_view));
  // Per head: scores = q k^T / sqrt(head_dim) (k read transposed), softmax, scores v.
  const std::int64_t bh = b * nh;
  const memory::desc q_md = token_md({bh, t, dh}),
                     k_t_md({bh, dh, t}, memory::data_type::f32, Tag::acb),
                     scores_md = token_md({bh, t, t}), head_out_md = token_md({bh, t, dh});
  const auto qk = matmul(q_md, k_t_md, nullptr, scores_md, scaled);
  const auto sv = matmul(scores_md, q_md, nullptr, head_out_md, none);
  const memory::desc score_rows_md = token_md({bh * t, t});
  const dnnl::softmax_forward softmax(dnnl::softmax_forward::primitive_desc(
      dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, score_rows_md, 1), engine_));

  float* const q = buf(p.heads);
  float* const kk = q + rows * d;
  float* const v = kk + rows * d;
  add_norm(ln_rows_prim, ln_rows, rows, buf(p.h), buf(p.x), weights_.ln_pre);
  for (VitBlock& block : weights_.blocks) {
    add_norm(ln_rows_prim, ln_rows, rows, buf(p.x), buf(p.h), block.ln_1);
    p.steps.push_back({in_proj,
                       {{DNNL_ARG_SRC, mem(rows_md, buf(p.h))},
                        {DNNL_ARG_WEIGHTS, mem(transposed(3 * d, d), buf(block.in_proj_weight))},
                        {DNNL_ARG_BIAS, mem(qkv_bias_md, buf(block.in_proj_bias))},
                        {DNNL_ARG_DST, mem(qkv_md, buf(p.qkv))}}});
    p.steps.push_back(
        {split, {{DNNL_ARG_FROM, mem(qkv_view, buf(p.qkv))}, {DNNL_ARG_TO, mem(heads_md, q)}}});
    p.steps.push_back({qk,
                       {{DNNL_ARG_SRC, mem(q_md, q)},
                        {DNNL_ARG_WEIGHTS, mem(k_t_md, kk)},
                        {DNNL_ARG_DST, mem(scores_md, buf(p.scores))}}});
    p.steps.push_back({softmax,
                       {{DNNL_ARG_SRC, mem(score_rows_md, buf(p.scores))},
                        {DNNL_ARG_DST, mem(score_rows_md, buf(p.scores))}}});
    p.steps.push_back({sv,
                       {{DNNL_ARG_SRC, mem(scores_md, buf(p.scores))},
                        {DNNL_ARG_WEIGHTS, mem(q_md, v)},
                        {DNNL_ARG_DST, mem(head_out_md, buf(p.attended))}}});
    p.steps.push_back({merge,
                       {{DNNL_ARG_FROM, mem(attended_md, buf(p.attended))},
                        {DNNL_ARG_TO, mem(merged_view, buf(p.h))}}});
    p.steps.push_back({out_proj,
                       {{DNNL_ARG_SRC, mem(rows_md, buf(p.h))},
                        {DNNL_ARG_WEIGHTS, mem(transposed(d, d), buf(block.out_proj_weight))},
                        {DNNL_ARG_BIAS, mem(bias_md, buf(block.out_proj_bias))},
                        {DNNL_ARG_DST, mem(rows_md, buf(p.x))}}});
    add_norm(ln_rows_prim, ln_rows, rows, buf(p.x), buf(p.h), block.ln_2);
    p.steps.push_back({c_fc,
                       {{DNNL_ARG_SRC, mem(rows_md, buf(p.h))},
                        {DNNL_ARG_WEIGHTS, mem(transposed(4 * d, d), buf(block.fc_weight))},
                        {DNNL_ARG_BIAS, mem(hidden_bias_md, buf(block.fc_bias))},
                        {DNNL_ARG_DST, mem(hidden_md, buf(p.hidden))}}});
    p.steps.push_back({c_proj,
                       {{DNNL_ARG_SRC, mem(hidden_md, buf(p.hidden))},
                        {DNNL_ARG_WEIGHTS, mem(transposed(d, 4 * d), buf(block.proj_weight))},
                        {DNNL_ARG_BIAS, mem(bias_md, buf(block.proj_bias))},
                        {DNNL_ARG_DST, mem(rows_md, buf(p.x))}}});
  }
  // The class token of each image (gathered by forward()) through ln_post and proj.
  add_norm(ln_cls_prim, ln_cls, b, buf(p.cls), buf(p.cls_norm), weights_.ln_post);
  const memory::desc cls_md = token_md({b, d}), proj_md = token_md({d, c.output_dim}),
                     features_md = token_md({b, c.output_dim});
  p.features = memory(features_md, engine_, DNNL_MEMORY_NONE);
  p.steps.push_back({matmul(cls_md, proj_md, nullptr, features_md, none),
                     {{DNNL_ARG_SRC, mem(cls_md, buf(p.cls_norm))},
                      {DNNL_ARG_WEIGHTS, mem(proj_md, buf(weights_.proj))},
                      {DNNL_ARG_DST, p.features}}});
  slot = std::move(plan);
  return *slot;
}

base::Status VitNetwork::forward(std::span<const float> input, std::size_t count,
                                 std::size_t stage_count, std::span<float> features) {
  const VitConfig& c = weights_.config;
  const auto side = static_cast<std::size_t>(kClipInputSize);
  const auto grid = static_cast<std::size_t>(c.grid), patch = static_cast<std::size_t>(c.patch);
  const auto d = static_cast<std::size_t>(c.width), tokens = static_cast<std::size_t>(c.tokens());
  QTUNE_CHECK(stage_count == 1 && count > 0 && input.size() == count * 3 * side * side &&
              features.size() == count * static_cast<std::size_t>(c.output_dim));
  try {
    Plan& p = plan_for(count);
    // conv1's windows tile the image: each patch is a row (channel, y, x) of the matmul.
    const std::size_t k = 3 * patch * patch;
    for (std::size_t b = 0; b < count; ++b) {
      for (std::size_t gy = 0; gy < grid; ++gy) {
        for (std::size_t gx = 0; gx < grid; ++gx) {
          float* row = p.patches.data() + ((b * grid + gy) * grid + gx) * k;
          for (std::size_t ch = 0; ch < 3; ++ch) {
            for (std::size_t ky = 0; ky < patch; ++ky) {
              const float* src =
                  input.data() + ((b * 3 + ch) * side + gy * patch + ky) * side + gx * patch;
              std::copy(src, src + patch, row + (ch * patch + ky) * patch);
            }
          }
        }
      }
    }
    for (Plan::Step& step : p.embed) step.primitive.execute(stream_, step.args);
    stream_.wait();
    // x = [class_embedding; patches] + positional_embedding (into h: ln_pre writes x).
    const float* pos = weights_.positional.data();
    for (std::size_t b = 0; b < count; ++b) {
      float* out = p.h.data() + b * tokens * d;
      for (std::size_t i = 0; i < d; ++i) out[i] = weights_.class_embedding[i] + pos[i];
      const float* embedded = p.embedded.data() + b * (tokens - 1) * d;
      for (std::size_t i = 0; i < (tokens - 1) * d; ++i) out[d + i] = embedded[i] + pos[d + i];
    }
    p.features.set_data_handle(features.data());
    const std::size_t last = p.steps.size() - 2;  // ln_post and proj run on the class tokens
    for (std::size_t s = 0; s < last; ++s) p.steps[s].primitive.execute(stream_, p.steps[s].args);
    stream_.wait();
    for (std::size_t b = 0; b < count; ++b) {
      const float* cls = p.x.data() + b * tokens * d;
      std::copy(cls, cls + d, p.cls.data() + b * d);
    }
    for (std::size_t s = last; s < p.steps.size(); ++s)
      p.steps[s].primitive.execute(stream_, p.steps[s].args);
    stream_.wait();
  } catch (const dnnl::error& e) {
    return vit_error(e, "running the CLIP ViT");
  }
  return base::Status::ok();
}

}  // namespace qtune::metrics::nn
