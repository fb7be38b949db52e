// The weights of CLIP's VisionTransformer (OpenAI's CLIP model.py; open_clip's
// transformer.py keeps the same names), read from a state dict whose keys are
// `visual.<name>` (a whole CLIP model: OpenAI's model.state_dict(), open_clip's
// open_clip_pytorch_model.bin) or `<name>` (the visual tower saved alone):
//
//   conv1.weight                                [width, 3, patch, patch] (no bias)
//   class_embedding                             [width]
//   positional_embedding                        [(224 / patch)^2 + 1, width]
//   ln_pre.{weight,bias}, ln_post.{weight,bias} [width]
//   transformer.resblocks.N.ln_1.{weight,bias}  [width]   (N = 0 .. layers - 1)
//   transformer.resblocks.N.attn.in_proj_weight [3 width, width], in_proj_bias [3 width]
//   transformer.resblocks.N.attn.out_proj.weight [width, width], .bias [width]
//   transformer.resblocks.N.ln_2.{weight,bias}  [width]
//   transformer.resblocks.N.mlp.c_fc.weight     [4 width, width], .bias [4 width]
//   transformer.resblocks.N.mlp.c_proj.weight   [width, 4 width], .bias [width]
//   proj                                        [width, output_dim]
//
// The configuration comes from the shapes, as CLIP's build_model derives it: width and patch
// from conv1.weight, layers from the resblocks present, heads = width / 64, output_dim from
// proj. The input is 224 x 224 (the side the evaluation table resizes to). Every tensor is
// then checked against the shape that configuration implies; a file of another network is
// kInvalidArgument naming the first missing or misshaped key and the expected shape.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metrics/weights/state_dict.h"
#include "qtune/base/result.h"

namespace qtune::metrics::nn {

inline constexpr std::int64_t kClipInputSize = 224;

struct VitConfig {
  std::int64_t width = 0;
  std::int64_t layers = 0;
  std::int64_t heads = 0;
  std::int64_t patch = 0;
  std::int64_t grid = 0;  // patches per side: kClipInputSize / patch
  std::int64_t output_dim = 0;
  std::int64_t tokens() const { return grid * grid + 1; }
  std::int64_t head_dim() const { return width / heads; }
  friend bool operator==(const VitConfig&, const VitConfig&) = default;
};

// OpenAI's ViT-L/14 (the evaluation table's clip2way network).
inline constexpr VitConfig kClipVitL14{1024, 24, 16, 14, 16, 768};

struct VitLayerNorm {
  std::vector<float> weight;  // [width]
  std::vector<float> bias;    // [width]
};

// One ResidualAttentionBlock; matrices row-major as torch stores them ([out, in]).
struct VitBlock {
  VitLayerNorm ln_1;
  std::vector<float> in_proj_weight;   // [3 width, width]: q, k, v rows
  std::vector<float> in_proj_bias;     // [3 width]
  std::vector<float> out_proj_weight;  // [width, width]
  std::vector<float> out_proj_bias;    // [width]
  VitLayerNorm ln_2;
  std::vector<float> fc_weight;    // [4 width, width]
  std::vector<float> fc_bias;      // [4 width]
  std::vector<float> proj_weight;  // [width, 4 width]
  std::vector<float> proj_bias;    // [width]
};

struct VitWeights {
  VitConfig config;
  std::vector<float> patch_weight;     // conv1.weight: [width, 3 * patch * patch]
  std::vector<float> class_embedding;  // [width]
  std::vector<float> positional;       // [tokens, width]
  VitLayerNorm ln_pre;
  std::vector<VitBlock> blocks;
  VitLayerNorm ln_post;
  std::vector<float> proj;  // [width, output_dim]
};

// "visual." when the file holds a whole CLIP model (or neither form), "" for a tower alone.
std::string clip_vit_prefix(const StateDict& dict);

// The tower's configuration after checking every tensor's shape. `expected`, when set, is
// the only configuration accepted (the table asks for kClipVitL14): a file of another size is
// refused naming the first tensor whose shape differs from it.
base::Result<VitConfig> clip_vit_config(const StateDict& dict, const VitConfig* expected);

// Reads (and consumes: the tensors are moved out) a CLIP visual tower of any configuration.
base::Result<VitWeights> clip_vit_weights(StateDict dict);

}  // namespace qtune::metrics::nn
