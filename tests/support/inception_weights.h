// Random-weight FID Inception state dicts written by PyTorch (tests/reference/
// nn_fid_inception.py: pytorch-fid's 566 keys, BatchNorm calibrated so activations stay O(1)),
// shared by every test that runs the network or reads a full-size .pth. Each file is 95 MB and
// takes PyTorch seconds to write, so it is made once (for the build folders under build/:
// once for all of them; QTUNE_TEST_DATA_DIR) and reused by later tests and runs; its name
// carries a fingerprint of the script that wrote it. Files are written under a temporary name and
// renamed, so test processes that race to make one never read it half-written.
#pragma once

#include <filesystem>
#include <string>

namespace qtune::testing {

// torch.save's zip format (what pytorch-fid downloads).
std::filesystem::path fid_inception_weights();

// The same tensors saved in PyTorch's legacy format (_use_new_zipfile_serialization=False).
std::filesystem::path fid_inception_weights_legacy();

// The same tensors as tests/reference/io_write_state_dict.py writes expected values: for each
// key (sorted) its name, shape and float32 values.
std::filesystem::path fid_inception_weights_values();

// Random torchvision weights of an evaluation-table network (tests/reference/
// nn_evaluation_table.py weights NET: "alexnet" (features only) or "inception_v3"), cached
// the same way.
std::filesystem::path table_network_weights(const std::string& net);

}  // namespace qtune::testing
