// The fMRI evaluation table against MindEye's code re-created with torch/torchvision/
// scikit-image (tests/reference/nn_evaluation_table.py) on the same PNGs and the same
// random-weight torchvision state dicts: pixcorr to 1e-6, ssim_mindeye to 1e-5 (scikit-image
// 0.19 computes it in float32), network features to 1e-4 relative, 2-way scores identical,
// correlation distances (effnet, swav) to 1e-4 relative.
#include "qtune/metrics/evaluation_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/nn/clip_vit_weights.h"
#include "metrics/nn/table_network.h"
#include "metrics/weights/state_dict.h"
#include "qtune/metrics/evaluation_pixels.h"
#include "qtune/metrics/identification.h"
#include "support/inception_weights.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

constexpr std::size_t kPairs = 6;

std::vector<double> table_numbers(const std::string& text) {
  std::istringstream in(text);
  std::vector<double> out;
  for (double v; in >> v;) out.push_back(v);
  return out;
}

std::vector<float> table_read_floats(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

class EvaluationTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    testing::run_reference_script("nn_evaluation_table.py",
                                  {"make", (*dir_ / "stim").string(), (*dir_ / "rec").string(),
                                   std::to_string(kPairs), "32", "40", "1"});
    auto stim = read_image_folder(*dir_ / "stim");
    auto rec = read_image_folder(*dir_ / "rec");
    ASSERT_TRUE(stim.is_ok() && rec.is_ok());
    stimuli_ = new std::vector<Image>(std::move(stim).value());
    recons_ = new std::vector<Image>(std::move(rec).value());
  }
  static void TearDownTestSuite() {
    delete stimuli_;
    delete recons_;
    delete dir_;
  }

  // Python's "score successes p_value" and features (stimuli rows, then reconstructions).
  struct TorchTwoWay {
    std::vector<double> result;
    std::vector<float> features;
  };
  static TorchTwoWay torch_two_way(const std::string& net, const std::string& layer) {
    const auto out = *dir_ / (net + layer + ".f32");
    const auto r = testing::run_reference_script(
        "nn_evaluation_table.py",
        {"twoway", net, testing::table_network_weights(net).string(), (*dir_ / "stim").string(),
         (*dir_ / "rec").string(), layer, out.string()});
    return {table_numbers(r.out), table_read_floats(out)};
  }

  // The features of qtune's network for the stimuli and the reconstructions, checked row
  // by row against PyTorch's (stimuli rows, then reconstructions): max |diff| over max
  // |value| of the row. `stages` 0: all of them.
  static void expect_features_match(nn::TableNet net, StateDict dict, std::size_t stages,
                                    const std::vector<float>& torch, const std::string& what) {
    auto network = nn::TableNetwork::create(net, std::move(dict), 0);
    ASSERT_TRUE(network.is_ok()) << network.status().to_string();
    if (stages == 0) stages = (*network)->stage_count();
    std::size_t offset = 0;
    for (const auto* side : {stimuli_, recons_}) {
      auto computed = (*network)->features(*side, stages);
      ASSERT_TRUE(computed.is_ok()) << computed.status().to_string();
      const Features& features = *computed;
      ASSERT_EQ(features.count * features.dims * 2, torch.size());
      for (std::size_t i = 0; i < features.count; ++i) {
        double diff = 0, scale = 0;
        for (std::size_t k = 0; k < features.dims; ++k) {
          const auto ref = static_cast<double>(torch[offset + i * features.dims + k]);
          diff = std::max(diff, std::fabs(features.values[i * features.dims + k] - ref));
          scale = std::max(scale, std::fabs(ref));
        }
        EXPECT_LT(diff / scale, 1e-4) << what << " image " << i;
      }
      offset += features.values.size();
    }
  }

  static StateDict table_weights(const std::string& name) {
    auto dict = load_state_dict(testing::table_network_weights(name));
    EXPECT_TRUE(dict.is_ok()) << dict.status().to_string();
    return dict.is_ok() ? std::move(dict).value() : StateDict{};
  }

  // The features of qtune's network against PyTorch's, and the table's 2-way score
  // against Python's.
  static void expect_parity(nn::TableNet net, const std::string& name, TableMetric metric,
                            const std::string& layer, std::size_t stages) {
    const TorchTwoWay torch = torch_two_way(name, layer);
    ASSERT_EQ(torch.result.size(), 3u);
    expect_features_match(net, table_weights(name), stages, torch.features, name + " " + layer);
    EvaluationTable table(TableOptions{{{name, testing::table_network_weights(name)}}, 0});
    auto score = table.score(metric, *stimuli_, *recons_);
    ASSERT_TRUE(score.is_ok()) << score.status().to_string();
    EXPECT_EQ(score->value, torch.result[0]);
    EXPECT_EQ(std::lround(score->value * kPairs * (kPairs - 1)), std::lround(torch.result[1]));
    ASSERT_TRUE(score->p_value.has_value());
    EXPECT_NEAR(*score->p_value, torch.result[2], 1e-6 * torch.result[2] + 1e-15);
    // Between chance and perfect: the comparison above is not trivially "all succeed".
    EXPECT_GT(score->value, 0.5);
    EXPECT_LT(score->value, 1.0);
  }

  // MindEye's correlation-distance metric (effnet, swav) computed by the reference script
  // with the network as MindEye loads it (`net`: efficientnet_b1, swav), against the
  // table's, and the features against qtune's network's.
  static void expect_distance_parity(nn::TableNet net, const std::string& net_name,
                                     const std::string& weights_name, TableMetric metric) {
    const auto out = *dir_ / (net_name + ".f32");
    const auto weights = testing::table_network_weights(net_name);
    const auto r = testing::run_reference_script(
        "nn_evaluation_table.py",
        {"distance", net_name, weights.string(), (*dir_ / "stim").string(),
         (*dir_ / "rec").string(), out.string()});
    const std::vector<double> expected = table_numbers(r.out);
    ASSERT_EQ(expected.size(), 1u);
    const std::vector<float> torch = table_read_floats(out);
    expect_features_match(net, table_weights(net_name), 0, torch, net_name);
    EvaluationTable table(TableOptions{{{weights_name, weights}}, 0});
    auto score = table.score(metric, *stimuli_, *recons_);
    ASSERT_TRUE(score.is_ok()) << score.status().to_string();
    EXPECT_FALSE(score->p_value.has_value());
    EXPECT_NEAR(score->value, expected[0], 1e-4 * expected[0]);
    // Well conditioned: far from 0 (identical features) as from 2 (anti-correlated).
    EXPECT_GT(expected[0], 0.1);
    EXPECT_LT(expected[0], 1.5);
  }

  static testing::TempDir* dir_;
  static std::vector<Image>* stimuli_;
  static std::vector<Image>* recons_;
};

testing::TempDir* EvaluationTableTest::dir_ = nullptr;
std::vector<Image>* EvaluationTableTest::stimuli_ = nullptr;
std::vector<Image>* EvaluationTableTest::recons_ = nullptr;

TEST_F(EvaluationTableTest, PixelMetricsMatchMindEye) {
  const auto r = testing::run_reference_script(
      "nn_evaluation_table.py", {"pixels", (*dir_ / "stim").string(), (*dir_ / "rec").string()});
  const std::vector<double> expected = table_numbers(r.out);
  ASSERT_EQ(expected.size(), 2u);
  auto corr = pixcorr(*stimuli_, *recons_);
  ASSERT_TRUE(corr.is_ok()) << corr.status().to_string();
  EXPECT_NEAR(*corr, expected[0], 1e-6);
  auto ssim = ssim_mindeye(*stimuli_, *recons_);
  ASSERT_TRUE(ssim.is_ok()) << ssim.status().to_string();
  EXPECT_NEAR(*ssim, expected[1], 1e-5);
}

TEST_F(EvaluationTableTest, Alexnet2MatchesTorchvision) {
  expect_parity(nn::TableNet::kAlexnet, "alexnet", TableMetric::kAlexnet2, "features.4", 1);
}

TEST_F(EvaluationTableTest, Alexnet5MatchesTorchvision) {
  expect_parity(nn::TableNet::kAlexnet, "alexnet", TableMetric::kAlexnet5, "features.11", 2);
}

TEST_F(EvaluationTableTest, Inception2wayMatchesTorchvision) {
  expect_parity(nn::TableNet::kInceptionV3, "inception_v3", TableMetric::kInception2way, "avgpool",
                13);
}

TEST_F(EvaluationTableTest, EffnetMatchesTorchvision) {
  expect_distance_parity(nn::TableNet::kEfficientnetB1, "efficientnet_b1", "efficientnet_b1",
                         TableMetric::kEffnet);
}

// The reference loads SwAV's checkpoint as torch.hub's facebookresearch/swav resnet50 does.
TEST_F(EvaluationTableTest, SwavMatchesTorchvision) {
  expect_distance_parity(nn::TableNet::kResnet50, "swav", "swav_resnet50", TableMetric::kSwav);
}

// A torchvision resnet50 state dict (no "module." prefix, with fc) gives the same network.
TEST_F(EvaluationTableTest, Resnet50ReadsTorchvisionAndSwavKeys) {
  const StateDict swav = table_weights("swav");
  ASSERT_EQ(swav.count("conv1.weight"), 0u);
  StateDict torchvision;
  for (const auto& [key, tensor] : swav) {
    if (key.rfind("module.", 0) == 0 && key.find("projection_head") == std::string::npos &&
        key.find("prototypes") == std::string::npos) {
      torchvision.emplace(key.substr(7), tensor);
    }
  }
  torchvision["fc.weight"] = Tensor{{1000, 2048}, std::vector<float>(1000 * 2048, 0.01f)};
  torchvision["fc.bias"] = Tensor{{1000}, std::vector<float>(1000, 0.0f)};
  const std::span<const Image> two(stimuli_->data(), 2);
  std::vector<Features> features;
  for (const StateDict* dict : {&swav, static_cast<const StateDict*>(&torchvision)}) {
    auto network = nn::TableNetwork::create(nn::TableNet::kResnet50, *dict, 0);
    ASSERT_TRUE(network.is_ok()) << network.status().to_string();
    auto f = (*network)->features(two, (*network)->stage_count());
    ASSERT_TRUE(f.is_ok()) << f.status().to_string();
    features.push_back(std::move(f).value());
  }
  EXPECT_EQ(features[0].dims, 2048u);
  EXPECT_EQ(features[0].values, features[1].values);
  // ResNet-101 has every tensor of ResNet-50 and more blocks in layer3: refused.
  torchvision["layer3.6.conv1.weight"] = Tensor{{256, 1024, 1, 1}, std::vector<float>(256 * 1024)};
  auto deeper = nn::TableNetwork::create(nn::TableNet::kResnet50, torchvision, 0);
  ASSERT_FALSE(deeper.is_ok());
  EXPECT_EQ(deeper.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(deeper.status().message().find("layer3.6.conv1.weight"), std::string::npos)
      << deeper.status().message();
}

// CLIP's image tower against the pure-PyTorch re-creation of OpenAI's VisionTransformer, on
// a small tower of the same structure (width 256: 4 heads of 64, 2 blocks, patch 14, 224 x
// 224 input, 257 tokens, output 32) read from a whole model's state dict (visual.* keys and
// text-tower keys). The fixture's 32 x 40 images resize to 224 x 280 and are centre-cropped.
// The table itself asks for ViT-L/14, so the 2-way score is computed from these features
// with the function the table uses.
TEST_F(EvaluationTableTest, Clip2wayMatchesPytorchVisionTransformer) {
  const TorchTwoWay torch = torch_two_way("clip", "encode_image");
  ASSERT_EQ(torch.result.size(), 3u);
  expect_features_match(nn::TableNet::kClipVit, table_weights("clip"), 0, torch.features, "clip");
  const StateDict whole = table_weights("clip");
  auto config = nn::clip_vit_config(whole, nullptr);
  ASSERT_TRUE(config.is_ok()) << config.status().to_string();
  EXPECT_EQ(*config, (nn::VitConfig{256, 2, 4, 14, 16, 32}));
  auto network = nn::TableNetwork::create(nn::TableNet::kClipVit, whole, 0);
  ASSERT_TRUE(network.is_ok()) << network.status().to_string();
  auto stim = (*network)->features(*stimuli_, 1);
  auto rec = (*network)->features(*recons_, 1);
  ASSERT_TRUE(stim.is_ok() && rec.is_ok());
  auto score = two_way_identification(*stim, *rec);
  ASSERT_TRUE(score.is_ok()) << score.status().to_string();
  EXPECT_EQ(score->score, torch.result[0]);
  EXPECT_NEAR(score->p_value, torch.result[2], 1e-6 * torch.result[2] + 1e-15);
  EXPECT_GT(score->score, 0.5);
  EXPECT_LT(score->score, 1.0);
  // The tower saved alone (no "visual." prefix) is the same network.
  StateDict tower;
  for (const auto& [key, tensor] : whole) {
    if (key.rfind("visual.", 0) == 0) tower.emplace(key.substr(7), tensor);
  }
  auto alone = nn::TableNetwork::create(nn::TableNet::kClipVit, tower, 0);
  ASSERT_TRUE(alone.is_ok()) << alone.status().to_string();
  auto again = (*alone)->features(*stimuli_, 1);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->values, stim->values);
}

TEST_F(EvaluationTableTest, ClipWeightsAreCheckedTensorByTensor) {
  // The small tower is not ViT-L/14: the table names the first tensor and the shape it needs.
  EvaluationTable small(
      TableOptions{{{"clip_vit_l14", testing::table_network_weights("clip")}}, 0});
  auto a = small.score(TableMetric::kClip2way, *stimuli_, *recons_);
  ASSERT_FALSE(a.is_ok());
  EXPECT_EQ(a.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("\"visual.conv1.weight\" has shape [256, 3, 14, 14]; "
                                      "expected [1024, 3, 14, 14]"),
            std::string::npos)
      << a.status().message();
  // Another network's file.
  EvaluationTable alexnet(
      TableOptions{{{"clip_vit_l14", testing::table_network_weights("alexnet")}}, 0});
  auto b = alexnet.score(TableMetric::kClip2way, *stimuli_, *recons_);
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("\"visual.conv1.weight\" is missing"), std::string::npos)
      << b.status().message();
  // One misshaped tensor inside a block, and a tower missing its last block's MLP.
  StateDict dict = table_weights("clip");
  dict["visual.transformer.resblocks.1.attn.in_proj_weight"].shape = {256, 768};
  auto c = nn::TableNetwork::create(nn::TableNet::kClipVit, dict, 0);
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("\"visual.transformer.resblocks.1.attn.in_proj_weight\" "
                                      "has shape [256, 768]; expected [768, 256]"),
            std::string::npos)
      << c.status().message();
  // A declared configuration whose activations would not fit (patch 2: 12545 tokens).
  dict = table_weights("clip");
  dict["visual.conv1.weight"].shape = {256, 3, 2, 2};
  auto tiny_patch = nn::clip_vit_config(dict, nullptr);
  ASSERT_FALSE(tiny_patch.is_ok());
  EXPECT_NE(tiny_patch.status().message().find("a patch of at least 8"), std::string::npos)
      << tiny_patch.status().message();
  dict = table_weights("clip");
  dict.erase("visual.transformer.resblocks.1.mlp.c_proj.bias");
  auto d = nn::TableNetwork::create(nn::TableNet::kClipVit, dict, 0);
  ASSERT_FALSE(d.is_ok());
  EXPECT_NE(d.status().message().find("\"visual.transformer.resblocks.1.mlp.c_proj.bias\" is "
                                      "missing; expected shape [256]"),
            std::string::npos)
      << d.status().message();
}

// OpenAI's ViT-L-14.pt is a TorchScript archive: refused without running it, naming open_clip's
// state dict instead.
TEST_F(EvaluationTableTest, ClipTorchScriptArchiveIsRefusedNamingTheAlternative) {
  const auto archive = *dir_ / "scripted.pt";
  testing::run_reference_script("nn_evaluation_table.py", {"torchscript", archive.string()});
  EvaluationTable table(TableOptions{{{"clip_vit_l14", archive}}, 0});
  auto score = table.score(TableMetric::kClip2way, *stimuli_, *recons_);
  ASSERT_FALSE(score.is_ok());
  EXPECT_EQ(score.status().code(), base::StatusCode::kInvalidArgument);
  const std::string& m = score.status().message();
  EXPECT_NE(m.find("TorchScript archive"), std::string::npos) << m;
  EXPECT_NE(m.find("open_clip_pytorch_model.bin"), std::string::npos) << m;
  EXPECT_NE(m.find("--weights-for clip_vit_l14=FILE"), std::string::npos) << m;
}

TEST_F(EvaluationTableTest, ConstantImageIsRefusedByPixcorr) {
  std::vector<Image> blank = *recons_;
  std::fill(blank[2].pixels.begin(), blank[2].pixels.end(), std::uint8_t{77});
  auto corr = pixcorr(*stimuli_, blank);
  ASSERT_FALSE(corr.is_ok());
  EXPECT_EQ(corr.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(corr.status().message().find("pair 2"), std::string::npos);
  EXPECT_NE(corr.status().message().find("constant"), std::string::npos);
}

TEST_F(EvaluationTableTest, BadInputIsRefused) {
  EvaluationTable table(TableOptions{{{"alexnet", testing::table_network_weights("alexnet")}}, 0});
  const std::span<const Image> one(stimuli_->data(), 1);
  auto single = table.score(TableMetric::kAlexnet2, one, one);
  ASSERT_FALSE(single.is_ok());
  EXPECT_NE(single.status().message().find("at least 2 pairs"), std::string::npos);
  const std::span<const Image> fewer(recons_->data(), kPairs - 1);
  auto unequal = table.score(TableMetric::kPixcorr, *stimuli_, fewer);
  ASSERT_FALSE(unequal.is_ok());
  EXPECT_NE(unequal.status().message().find("same number"), std::string::npos);
  auto unknown = EvaluationTable(TableOptions{{{"vgg16", "x.pth"}}, 0})
                     .score(TableMetric::kAlexnet2, *stimuli_, *recons_);
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("vgg16"), std::string::npos);
}

TEST_F(EvaluationTableTest, WrongNetworkFileNamesTheFirstMismatchedTensor) {
  // Inception weights given as AlexNet's.
  EvaluationTable swapped(
      TableOptions{{{"alexnet", testing::table_network_weights("inception_v3")}}, 0});
  auto a = swapped.score(TableMetric::kAlexnet2, *stimuli_, *recons_);
  ASSERT_FALSE(a.is_ok());
  EXPECT_EQ(a.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(a.status().message().find("features.0.weight"), std::string::npos)
      << a.status().message();
  // pytorch-fid's FID Inception (1008 classes) given as torchvision's inception_v3.
  EvaluationTable fid(TableOptions{{{"inception_v3", testing::fid_inception_weights()}}, 0});
  auto b = fid.score(TableMetric::kInception2way, *stimuli_, *recons_);
  ASSERT_FALSE(b.is_ok());
  EXPECT_NE(b.status().message().find("fc.weight"), std::string::npos) << b.status().message();
  EXPECT_NE(b.status().message().find("1008"), std::string::npos);
  // EfficientNet weights given as SwAV's ResNet-50, AlexNet's as EfficientNet's.
  EvaluationTable swav(
      TableOptions{{{"swav_resnet50", testing::table_network_weights("efficientnet_b1")}}, 0});
  auto c = swav.score(TableMetric::kSwav, *stimuli_, *recons_);
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("\"conv1.weight\" is missing"), std::string::npos)
      << c.status().message();
  EvaluationTable effnet(
      TableOptions{{{"efficientnet_b1", testing::table_network_weights("alexnet")}}, 0});
  auto d = effnet.score(TableMetric::kEffnet, *stimuli_, *recons_);
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("\"features.0.0.weight\" is missing"), std::string::npos)
      << d.status().message();
}

TEST_F(EvaluationTableTest, MissingWeightsSayWhereToDownloadThem) {
  testing::TempDir empty;
  ::setenv("TORCH_HOME", empty.path().c_str(), 1);
  EvaluationTable table(TableOptions{});
  auto score = table.score(TableMetric::kAlexnet5, *stimuli_, *recons_);
  ::unsetenv("TORCH_HOME");
  ASSERT_FALSE(score.is_ok());
  EXPECT_EQ(score.status().code(), base::StatusCode::kNotFound);
  const std::string& m = score.status().message();
  EXPECT_NE(m.find((empty.path() / "hub/checkpoints/alexnet-owt-7be5be79.pth").string()),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"),
            std::string::npos);
  EXPECT_NE(m.find("--weights-for alexnet=FILE"), std::string::npos);
}

TEST_F(EvaluationTableTest, MissingSwavAndEffnetWeightsNameThePublishedFiles) {
  testing::TempDir empty;
  ::setenv("TORCH_HOME", empty.path().c_str(), 1);
  EvaluationTable table(TableOptions{});
  auto swav = table.score(TableMetric::kSwav, *stimuli_, *recons_);
  auto effnet = table.score(TableMetric::kEffnet, *stimuli_, *recons_);
  auto clip = table.score(TableMetric::kClip2way, *stimuli_, *recons_);
  ::unsetenv("TORCH_HOME");
  ASSERT_FALSE(clip.is_ok());
  EXPECT_EQ(clip.status().code(), base::StatusCode::kNotFound);
  EXPECT_NE(clip.status().message().find("hub/checkpoints/vit_large_patch14_clip_224.openai.bin"),
            std::string::npos)
      << clip.status().message();
  EXPECT_NE(clip.status().message().find("https://huggingface.co/timm/"
                                         "vit_large_patch14_clip_224.openai/resolve/main/"
                                         "open_clip_pytorch_model.bin"),
            std::string::npos);
  EXPECT_NE(clip.status().message().find("--weights-for clip_vit_l14=FILE"), std::string::npos);
  ASSERT_FALSE(swav.is_ok());
  EXPECT_EQ(swav.status().code(), base::StatusCode::kNotFound);
  EXPECT_NE(swav.status().message().find("hub/checkpoints/swav_800ep_pretrain.pth.tar"),
            std::string::npos)
      << swav.status().message();
  EXPECT_NE(swav.status().message().find("--weights-for swav_resnet50=FILE"), std::string::npos);
  ASSERT_FALSE(effnet.is_ok());
  EXPECT_NE(effnet.status().message().find("https://download.pytorch.org/models/"
                                           "efficientnet_b1-c27df63c.pth"),
            std::string::npos)
      << effnet.status().message();
}

}  // namespace
}  // namespace qtune::metrics
