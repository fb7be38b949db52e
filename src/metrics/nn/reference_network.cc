#include "metrics/nn/reference_network.h"

#include <cblas.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "metrics/nn/fid_graph.h"
#include "qtune/base/result.h"

namespace qtune::metrics::nn {
namespace {

std::size_t to_size(std::int64_t v) { return static_cast<std::size_t>(v); }

// A tensor of one image, CHW.
struct Activation {
  Shape shape;
  std::vector<float> values;
};

// conv + bias + ReLU into channels [offset, offset + out) of `dst` (CHW of dst_channels).
void convolve(const Conv& c, const FoldedConv& w, const Activation& src, float* dst) {
  const Shape out = output_shape(c, src.shape);
  const std::size_t k = to_size(c.in_channels * c.kernel_h * c.kernel_w);
  const std::size_t pixels = to_size(out.height * out.width);
  // im2col: row (ic, ky, kx), column (oy, ox); zero where the window leaves the image.
  std::vector<float> columns(k * pixels, 0.0f);
  std::size_t row = 0;
  for (std::int64_t ic = 0; ic < c.in_channels; ++ic) {
    for (std::int64_t ky = 0; ky < c.kernel_h; ++ky) {
      for (std::int64_t kx = 0; kx < c.kernel_w; ++kx, ++row) {
        for (std::int64_t oy = 0; oy < out.height; ++oy) {
          const std::int64_t iy = oy * c.stride - c.pad_h + ky;
          if (iy < 0 || iy >= src.shape.height) continue;
          for (std::int64_t ox = 0; ox < out.width; ++ox) {
            const std::int64_t ix = ox * c.stride - c.pad_w + kx;
            if (ix < 0 || ix >= src.shape.width) continue;
            columns[row * pixels + to_size(oy * out.width + ox)] =
                src.values[to_size((ic * src.shape.height + iy) * src.shape.width + ix)];
          }
        }
      }
    }
  }
  const auto oc = static_cast<int>(c.out_channels);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, oc, static_cast<int>(pixels),
              static_cast<int>(k), 1.0f, w.weights.data(), static_cast<int>(k), columns.data(),
              static_cast<int>(pixels), 0.0f, dst, static_cast<int>(pixels));
  for (std::size_t o = 0; o < to_size(c.out_channels); ++o) {
    for (std::size_t p = 0; p < pixels; ++p)
      dst[o * pixels + p] = std::max(dst[o * pixels + p] + w.bias[o], 0.0f);
  }
}

void pool(const Pool& p, const Activation& src, float* dst) {
  const Shape out = output_shape(p, src.shape);
  for (std::int64_t ch = 0; ch < out.channels; ++ch) {
    const float* plane = src.values.data() + to_size(ch * src.shape.height * src.shape.width);
    for (std::int64_t oy = 0; oy < out.height; ++oy) {
      for (std::int64_t ox = 0; ox < out.width; ++ox) {
        float best = -std::numeric_limits<float>::infinity();
        double sum = 0;
        int counted = 0;  // padded positions excluded (count_include_pad=False)
        for (std::int64_t ky = 0; ky < p.kernel; ++ky) {
          const std::int64_t iy = oy * p.stride - p.pad + ky;
          if (iy < 0 || iy >= src.shape.height) continue;
          for (std::int64_t kx = 0; kx < p.kernel; ++kx) {
            const std::int64_t ix = ox * p.stride - p.pad + kx;
            if (ix < 0 || ix >= src.shape.width) continue;
            const float v = plane[to_size(iy * src.shape.width + ix)];
            best = std::max(best, v);
            sum += static_cast<double>(v);
            ++counted;
          }
        }
        dst[to_size((ch * out.height + oy) * out.width + ox)] =
            p.kind == PoolKind::kMax ? best : static_cast<float>(sum / counted);
      }
    }
  }
}

}  // namespace

ReferenceNetwork::ReferenceNetwork(std::vector<FoldedConv> convs, std::size_t input_size)
    : convs_(std::move(convs)), input_size_(input_size) {}

void ReferenceNetwork::set_threads(int threads) { openblas_set_num_threads(threads); }

base::Status ReferenceNetwork::forward(std::span<const float> input, std::size_t count,
                                       std::size_t stage_count, std::span<float> features) {
  const auto side = static_cast<std::int64_t>(input_size_);
  const std::size_t image_floats = 3 * input_size_ * input_size_;
  QTUNE_CHECK(input.size() == count * image_floats);
  std::size_t feature_offset = 0;
  for (std::size_t i = 0; i < count; ++i) {
    Activation current{
        Shape{3, side, side},
        std::vector<float>(input.begin() + static_cast<std::ptrdiff_t>(i * image_floats),
                           input.begin() + static_cast<std::ptrdiff_t>((i + 1) * image_floats))};
    std::size_t conv_index = 0;
    const auto& stages = fid_inception_stages();
    for (std::size_t s = 0; s < stage_count; ++s) {
      const std::vector<Shape> shapes = stage_buffer_shapes(stages[s], current.shape);
      std::vector<Activation> buffers(shapes.size());
      buffers[kStageInput] = std::move(current);
      for (std::size_t b = kStageOutput; b < shapes.size(); ++b) {
        buffers[b] = Activation{shapes[b], std::vector<float>(to_size(shapes[b].size()))};
      }
      for (const Node& node : stages[s].nodes) {
        const Activation& src = buffers[to_size(node.src)];
        Activation& dst = buffers[to_size(node.dst)];
        float* out = dst.values.data() +
                     to_size(node.dst_channel_offset * dst.shape.height * dst.shape.width);
        if (const Conv* c = std::get_if<Conv>(&node.op)) {
          convolve(*c, convs_[conv_index++], src, out);
        } else {  // the FID graph has only convs (ReLU, groups 1) and window pools
          pool(std::get<Pool>(node.op), src, out);
        }
      }
      current = std::move(buffers[kStageOutput]);
    }
    const auto channels = to_size(current.shape.channels);
    const auto pixels = to_size(current.shape.height * current.shape.width);
    for (std::size_t ch = 0; ch < channels; ++ch) {
      double sum = 0;
      for (std::size_t p = 0; p < pixels; ++p)
        sum += static_cast<double>(current.values[ch * pixels + p]);
      features[feature_offset++] = static_cast<float>(sum / static_cast<double>(pixels));
    }
  }
  return base::Status::ok();
}

}  // namespace qtune::metrics::nn
