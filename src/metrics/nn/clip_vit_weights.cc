#include "metrics/nn/clip_vit_weights.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <utility>

#include "metrics/nn/table_weights.h"

namespace qtune::metrics::nn {
namespace {

constexpr std::string_view kNetwork = "CLIP VisionTransformer (visual.*)";

// One tensor the network reads: its key (without the prefix), shape and destination.
struct Wanted {
  std::string key;
  std::vector<std::int64_t> shape;
  std::vector<float>* into;
};

void add_norm(std::vector<Wanted>& out, const std::string& name, std::int64_t width,
              VitLayerNorm& norm) {
  out.push_back({name + ".weight", {width}, &norm.weight});
  out.push_back({name + ".bias", {width}, &norm.bias});
}

std::vector<Wanted> wanted_tensors(VitWeights& w) {
  const VitConfig& c = w.config;
  const std::int64_t d = c.width;
  std::vector<Wanted> out;
  out.push_back({"conv1.weight", {d, 3, c.patch, c.patch}, &w.patch_weight});
  out.push_back({"class_embedding", {d}, &w.class_embedding});
  out.push_back({"positional_embedding", {c.tokens(), d}, &w.positional});
  add_norm(out, "ln_pre", d, w.ln_pre);
  w.blocks.resize(static_cast<std::size_t>(c.layers));
  for (std::int64_t n = 0; n < c.layers; ++n) {
    VitBlock& b = w.blocks[static_cast<std::size_t>(n)];
    const std::string p = fmt::format("transformer.resblocks.{}.", n);
    add_norm(out, p + "ln_1", d, b.ln_1);
    out.push_back({p + "attn.in_proj_weight", {3 * d, d}, &b.in_proj_weight});
    out.push_back({p + "attn.in_proj_bias", {3 * d}, &b.in_proj_bias});
    out.push_back({p + "attn.out_proj.weight", {d, d}, &b.out_proj_weight});
    out.push_back({p + "attn.out_proj.bias", {d}, &b.out_proj_bias});
    add_norm(out, p + "ln_2", d, b.ln_2);
    out.push_back({p + "mlp.c_fc.weight", {4 * d, d}, &b.fc_weight});
    out.push_back({p + "mlp.c_fc.bias", {4 * d}, &b.fc_bias});
    out.push_back({p + "mlp.c_proj.weight", {d, 4 * d}, &b.proj_weight});
    out.push_back({p + "mlp.c_proj.bias", {d}, &b.proj_bias});
  }
  add_norm(out, "ln_post", d, w.ln_post);
  out.push_back({"proj", {d, c.output_dim}, &w.proj});
  return out;
}

std::string block_key(std::int64_t n) {
  return fmt::format("transformer.resblocks.{}.ln_1.weight", n);
}

// The configuration the file's shapes imply (CLIP's build_model), checked for sense.
base::Result<VitConfig> config_of(const StateDict& dict, const std::string& prefix) {
  const TableWeights weights(dict, prefix, kNetwork);
  auto conv = dict.find(prefix + "conv1.weight");
  if (conv == dict.end()) {
    return base::Status::invalid_argument(
        fmt::format("state dict: tensor \"{}conv1.weight\" is missing; expected [width, 3, "
                    "patch, patch] ({}); is this a CLIP ViT weights file?",
                    prefix, kNetwork));
  }
  const std::vector<std::int64_t>& s = conv->second.shape;
  // Bounds that every CLIP ViT meets (widths 768 to 1664, patches 14 to 32) and that keep the
  // activation buffers bounded (at most 785 tokens of 2048 values) whatever a file declares.
  if (s.size() != 4 || s[1] != 3 || s[2] != s[3] || s[0] <= 0 || s[0] % 64 != 0 || s[0] > 2048 ||
      s[2] < 8 || kClipInputSize % s[2] != 0) {
    return base::Status::invalid_argument(fmt::format(
        "state dict: tensor \"{}conv1.weight\" has shape [{}]; expected [width, 3, patch, patch] "
        "with width a multiple of 64 up to 2048 and a patch of at least 8 dividing {} ({})",
        prefix, fmt::join(s, ", "), kClipInputSize, kNetwork));
  }
  VitConfig c;
  c.width = s[0];
  c.patch = s[2];
  c.heads = c.width / 64;
  c.grid = kClipInputSize / c.patch;
  while (dict.count(prefix + block_key(c.layers)) != 0) ++c.layers;
  if (c.layers == 0) {
    return base::Status::invalid_argument(
        fmt::format("state dict: tensor \"{}{}\" is missing; expected shape [{}] ({})", prefix,
                    block_key(0), c.width, kNetwork));
  }
  auto proj = dict.find(prefix + "proj");
  if (proj == dict.end() || proj->second.shape.size() != 2 || proj->second.shape[1] <= 0) {
    QTUNE_RETURN_IF_ERROR(weights.tensor("proj", {c.width, 768}).status());
  }
  c.output_dim = proj->second.shape[1];
  return c;
}

}  // namespace

std::string clip_vit_prefix(const StateDict& dict) {
  const bool tower_alone = dict.count("visual.conv1.weight") == 0 &&
                           dict.count("conv1.weight") != 0 && dict.count("class_embedding") != 0;
  return tower_alone ? "" : "visual.";
}

base::Result<VitConfig> clip_vit_config(const StateDict& dict, const VitConfig* expected) {
  const std::string prefix = clip_vit_prefix(dict);
  VitWeights shapes;  // only its configuration and the blocks' count are used
  if (expected != nullptr) {
    shapes.config = *expected;
  } else {
    QTUNE_ASSIGN_OR_RETURN(shapes.config, config_of(dict, prefix));
  }
  const TableWeights weights(dict, prefix, kNetwork);
  for (const Wanted& t : wanted_tensors(shapes)) {
    QTUNE_RETURN_IF_ERROR(weights.tensor(t.key, t.shape).status());
  }
  // A deeper tower has every tensor of this one and more blocks.
  QTUNE_RETURN_IF_ERROR(weights.expect_absent(block_key(shapes.config.layers),
                                              "a deeper CLIP ViT than the one expected"));
  return shapes.config;
}

base::Result<VitWeights> clip_vit_weights(StateDict dict) {
  VitWeights w;
  QTUNE_ASSIGN_OR_RETURN(w.config, clip_vit_config(dict, nullptr));
  const std::string prefix = clip_vit_prefix(dict);
  for (const Wanted& t : wanted_tensors(w)) {
    *t.into = std::move(dict.find(prefix + t.key)->second.data);
  }
  return w;
}

}  // namespace qtune::metrics::nn
