#include "metrics/nn/fid_graph.h"

#include <utility>

#include "qtune/base/result.h"

namespace qtune::metrics::nn {
namespace {

// Builds one stage; temporaries are numbered as they are first written.
class StageBuilder {
 public:
  // Convs inside a Mixed block are named "<stage>.<branch>"; stem convs by themselves.
  StageBuilder(std::string name, bool prefix_names) : prefix_(prefix_names ? name + "." : "") {
    stage_.name = std::move(name);
  }

  int temp() { return stage_.buffer_count++; }

  // A conv (kernel kh x kw, padding ph/pw) from `src` into `dst`; returns `dst`.
  int conv(const std::string& name, int src, int dst, std::int64_t in, std::int64_t out,
           std::int64_t kh, std::int64_t kw, std::int64_t stride = 1, std::int64_t ph = 0,
           std::int64_t pw = 0) {
    add(Conv{prefix_ + name, in, out, kh, kw, stride, ph, pw}, src, dst);
    return dst;
  }
  int pool(PoolKind kind, std::int64_t stride, std::int64_t pad, int src, int dst) {
    add(Pool{kind, 3, stride, pad}, src, dst);
    return dst;
  }
  // Writes the next channel slice of the stage output.
  int out(std::int64_t channels) {
    pending_offset_ = stage_.out_channels;
    stage_.out_channels += channels;
    return kStageOutput;
  }

  Stage finish() { return std::move(stage_); }

 private:
  void add(Op op, int src, int dst) {
    stage_.nodes.push_back(
        Node{std::move(op), src, dst, dst == kStageOutput ? pending_offset_ : 0});
  }

  std::string prefix_;
  Stage stage_;
  std::int64_t pending_offset_ = 0;
};

// A chain of stem convs followed by max pool 3x3 stride 2.
Stage stem(const std::string& name, const std::vector<Conv>& convs) {
  StageBuilder b(name, false);
  int src = kStageInput;
  for (const Conv& c : convs) {
    int dst = b.temp();
    b.conv(c.name, src, dst, c.in_channels, c.out_channels, c.kernel_h, c.kernel_w, c.stride,
           c.pad_h, c.pad_w);
    src = dst;
  }
  b.pool(PoolKind::kMax, 2, 0, src, b.out(convs.back().out_channels));
  return b.finish();
}

// InceptionA: [1x1, 5x5, 3x3dbl, pool]; FIDInceptionA's avg pool excludes the padded zeros.
Stage inception_a(const std::string& name, std::int64_t in, std::int64_t pool_features,
                  PoolKind average) {
  StageBuilder b(name, true);
  b.conv("branch1x1", kStageInput, b.out(64), in, 64, 1, 1);
  int t = b.conv("branch5x5_1", kStageInput, b.temp(), in, 48, 1, 1);
  b.conv("branch5x5_2", t, b.out(64), 48, 64, 5, 5, 1, 2, 2);
  t = b.conv("branch3x3dbl_1", kStageInput, b.temp(), in, 64, 1, 1);
  t = b.conv("branch3x3dbl_2", t, b.temp(), 64, 96, 3, 3, 1, 1, 1);
  b.conv("branch3x3dbl_3", t, b.out(96), 96, 96, 3, 3, 1, 1, 1);
  t = b.pool(average, 1, 1, kStageInput, b.temp());
  b.conv("branch_pool", t, b.out(pool_features), in, pool_features, 1, 1);
  return b.finish();
}

// InceptionB (Mixed_6a, torchvision's): [3x3, 3x3dbl, max pool].
Stage inception_b(const std::string& name, std::int64_t in) {
  StageBuilder b(name, true);
  b.conv("branch3x3", kStageInput, b.out(384), in, 384, 3, 3, 2);
  int t = b.conv("branch3x3dbl_1", kStageInput, b.temp(), in, 64, 1, 1);
  t = b.conv("branch3x3dbl_2", t, b.temp(), 64, 96, 3, 3, 1, 1, 1);
  b.conv("branch3x3dbl_3", t, b.out(96), 96, 96, 3, 3, 2);
  b.pool(PoolKind::kMax, 2, 0, kStageInput, b.out(in));
  return b.finish();
}

// InceptionC: [1x1, 7x7, 7x7dbl, pool]; FIDInceptionC's avg pool excludes the padded zeros.
Stage inception_c(const std::string& name, std::int64_t c7, PoolKind average) {
  constexpr std::int64_t in = 768;
  StageBuilder b(name, true);
  b.conv("branch1x1", kStageInput, b.out(192), in, 192, 1, 1);
  int t = b.conv("branch7x7_1", kStageInput, b.temp(), in, c7, 1, 1);
  t = b.conv("branch7x7_2", t, b.temp(), c7, c7, 1, 7, 1, 0, 3);
  b.conv("branch7x7_3", t, b.out(192), c7, 192, 7, 1, 1, 3, 0);
  t = b.conv("branch7x7dbl_1", kStageInput, b.temp(), in, c7, 1, 1);
  t = b.conv("branch7x7dbl_2", t, b.temp(), c7, c7, 7, 1, 1, 3, 0);
  t = b.conv("branch7x7dbl_3", t, b.temp(), c7, c7, 1, 7, 1, 0, 3);
  t = b.conv("branch7x7dbl_4", t, b.temp(), c7, c7, 7, 1, 1, 3, 0);
  b.conv("branch7x7dbl_5", t, b.out(192), c7, 192, 1, 7, 1, 0, 3);
  t = b.pool(average, 1, 1, kStageInput, b.temp());
  b.conv("branch_pool", t, b.out(192), in, 192, 1, 1);
  return b.finish();
}

// InceptionD (Mixed_7a, torchvision's): [3x3, 7x7x3, max pool].
Stage inception_d(const std::string& name) {
  constexpr std::int64_t in = 768;
  StageBuilder b(name, true);
  int t = b.conv("branch3x3_1", kStageInput, b.temp(), in, 192, 1, 1);
  b.conv("branch3x3_2", t, b.out(320), 192, 320, 3, 3, 2);
  t = b.conv("branch7x7x3_1", kStageInput, b.temp(), in, 192, 1, 1);
  t = b.conv("branch7x7x3_2", t, b.temp(), 192, 192, 1, 7, 1, 0, 3);
  t = b.conv("branch7x7x3_3", t, b.temp(), 192, 192, 7, 1, 1, 3, 0);
  b.conv("branch7x7x3_4", t, b.out(192), 192, 192, 3, 3, 2);
  b.pool(PoolKind::kMax, 2, 0, kStageInput, b.out(in));
  return b.finish();
}

// InceptionE (FID: E_1's avg pool excludes the padded zeros, E_2 in Mixed_7c max-pools):
// [1x1, cat(3x3_2a, 3x3_2b), cat(3x3dbl_3a, 3x3dbl_3b), pool].
Stage inception_e(const std::string& name, std::int64_t in, PoolKind pool_kind) {
  StageBuilder b(name, true);
  b.conv("branch1x1", kStageInput, b.out(320), in, 320, 1, 1);
  int t = b.conv("branch3x3_1", kStageInput, b.temp(), in, 384, 1, 1);
  b.conv("branch3x3_2a", t, b.out(384), 384, 384, 1, 3, 1, 0, 1);
  b.conv("branch3x3_2b", t, b.out(384), 384, 384, 3, 1, 1, 1, 0);
  t = b.conv("branch3x3dbl_1", kStageInput, b.temp(), in, 448, 1, 1);
  t = b.conv("branch3x3dbl_2", t, b.temp(), 448, 384, 3, 3, 1, 1, 1);
  b.conv("branch3x3dbl_3a", t, b.out(384), 384, 384, 1, 3, 1, 0, 1);
  b.conv("branch3x3dbl_3b", t, b.out(384), 384, 384, 3, 1, 1, 1, 0);
  t = b.pool(pool_kind, 1, 1, kStageInput, b.temp());
  b.conv("branch_pool", t, b.out(192), in, 192, 1, 1);
  return b.finish();
}

// The FID variant (fid = true) or torchvision's Inception3.
std::vector<Stage> build_stages(bool fid) {
  const PoolKind average =
      fid ? PoolKind::kAverageExcludingPadding : PoolKind::kAverageIncludingPadding;
  std::vector<Stage> s;
  s.push_back(stem("block0", {Conv{"Conv2d_1a_3x3", 3, 32, 3, 3, 2, 0, 0},
                              Conv{"Conv2d_2a_3x3", 32, 32, 3, 3, 1, 0, 0},
                              Conv{"Conv2d_2b_3x3", 32, 64, 3, 3, 1, 1, 1}}));
  s.push_back(stem("block1", {Conv{"Conv2d_3b_1x1", 64, 80, 1, 1, 1, 0, 0},
                              Conv{"Conv2d_4a_3x3", 80, 192, 3, 3, 1, 0, 0}}));
  s.push_back(inception_a("Mixed_5b", 192, 32, average));
  s.push_back(inception_a("Mixed_5c", 256, 64, average));
  s.push_back(inception_a("Mixed_5d", 288, 64, average));
  s.push_back(inception_b("Mixed_6a", 288));
  s.push_back(inception_c("Mixed_6b", 128, average));
  s.push_back(inception_c("Mixed_6c", 160, average));
  s.push_back(inception_c("Mixed_6d", 160, average));
  s.push_back(inception_c("Mixed_6e", 192, average));
  s.push_back(inception_d("Mixed_7a"));
  s.push_back(inception_e("Mixed_7b", 1280, average));
  s.push_back(inception_e("Mixed_7c", 2048, fid ? PoolKind::kMax : average));
  return s;
}

}  // namespace

const std::vector<Stage>& fid_inception_stages() {
  static const std::vector<Stage> stages = build_stages(true);
  return stages;
}

const std::vector<Stage>& torchvision_inception_stages() {
  static const std::vector<Stage> stages = build_stages(false);
  return stages;
}

std::size_t stage_count_for_dims(std::int64_t dims) {
  switch (dims) {
    case 64:
      return 1;
    case 192:
      return 2;
    case 768:
      return 10;
    case 2048:
      return 13;
    default:
      return 0;
  }
}

Shape output_shape(const Op& op, const Shape& in) {
  if (const Conv* c = std::get_if<Conv>(&op)) {
    return Shape{c->out_channels, (in.height + 2 * c->pad_h - c->kernel_h) / c->stride + 1,
                 (in.width + 2 * c->pad_w - c->kernel_w) / c->stride + 1};
  }
  if (!std::holds_alternative<Pool>(op)) return in;  // Copy, ChannelScale
  const Pool& p = std::get<Pool>(op);
  if (p.kind == PoolKind::kGlobalAverage) return Shape{in.channels, 1, 1};
  return Shape{in.channels, (in.height + 2 * p.pad - p.kernel) / p.stride + 1,
               (in.width + 2 * p.pad - p.kernel) / p.stride + 1};
}

std::vector<Shape> stage_buffer_shapes(const Stage& stage, const Shape& in) {
  std::vector<Shape> shapes(static_cast<std::size_t>(stage.buffer_count));
  shapes[kStageInput] = in;
  for (const Node& node : stage.nodes) {
    Shape out = output_shape(node.op, shapes[static_cast<std::size_t>(node.src)]);
    if (node.dst == kStageOutput) {
      // Every branch must agree on the spatial size of the concatenated output.
      QTUNE_CHECK(shapes[kStageOutput].height == 0 || shapes[kStageOutput].height == out.height);
      out.channels = stage.out_channels;
    }
    shapes[static_cast<std::size_t>(node.dst)] = out;
  }
  return shapes;
}

}  // namespace qtune::metrics::nn
