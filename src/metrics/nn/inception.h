// InceptionFid: the FID variant of Inception-v3 (pytorch-fid's InceptionV3 built by
// fid_inception_v3, weights pt_inception-2015-12-05) as a feature extractor.
//
// features(images, dims) reproduces pytorch-fid's get_activations: each image goes through
// to_inception_input (resize to 299 x 299, 2x - 1), the network runs up to the block of
// `dims` (64: first max pool, 192: second max pool, 768: Mixed_6e, 2048: Mixed_7c) and the
// activation is averaged over space. Images may differ in size (each is resized alone).
//
// Two backends compute the same function: kOneDnn (BatchNorm folded into the convolutions,
// ReLU fused, one blocked layout end to end (nChw16c, nChw8c on AVX2), branch outputs written in
// place into their channel slice of the concatenation, weights reordered once, buffers kept per
// batch size) and kReference (plain loops and im2col + OpenBLAS sgemm, NCHW), which the tests use
// to check the fast one. They agree to about 1e-6 relative; pytorch-fid itself to 1e-5.
//
// Contract: create() copies what it needs from the state dict (the dict may be dropped).
// An InceptionFid is not thread-safe (it owns scratch buffers); use one per thread.
// `threads` > 0 sets the OpenMP (oneDNN) or OpenBLAS thread count for the calls of this
// object; 0 uses the CPUs this process may use (available_cpus(): affinity and cgroup quota).
// Errors: a state dict without the FID Inception tensors or with wrong shapes (kInvalidArgument
// naming the key), unsupported dims, no images or an empty image (kInvalidArgument), a oneDNN
// failure (kInternal).
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "metrics/nn/resize.h"
#include "metrics/weights/state_dict.h"
#include "qtune/base/result.h"
#include "qtune/metrics/feature_stats.h"
#include "qtune/metrics/image.h"

namespace qtune::metrics {

namespace nn {
class Network;
}  // namespace nn

enum class InceptionBackend {
  kOneDnn,
  kReference,
};

struct InceptionOptions {
  InceptionBackend backend = InceptionBackend::kOneDnn;
  int threads = 0;
  // Images per forward pass; a batch of 8-10 keeps the buffers in cache better than 50.
  std::size_t batch_size = 8;
  // Side of the network input. pytorch-fid uses 299; smaller values (>= 75 for dims 2048)
  // only serve to check the two backends against each other cheaply.
  std::size_t input_size = kInceptionInputSize;
};

class InceptionFid {
 public:
  static base::Result<InceptionFid> create(const StateDict& weights,
                                           const InceptionOptions& options = {});

  InceptionFid(InceptionFid&&) noexcept;
  InceptionFid& operator=(InceptionFid&&) noexcept;
  ~InceptionFid();

  // N x dims features, in the order of `images`; dims is 64, 192, 768 or 2048.
  base::Result<Features> features(std::span<const Image> images, std::size_t dims);

 private:
  InceptionFid(std::unique_ptr<nn::Network> network, const InceptionOptions& options);

  std::unique_ptr<nn::Network> network_;
  InceptionOptions options_;
};

}  // namespace qtune::metrics
