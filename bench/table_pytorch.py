"""The whole evaluation table end to end in PyTorch, the baseline of bench/bench_table.sh:
pixcorr, ssim_mindeye, alexnet2, alexnet5, inception2way as MindEye's Reconstruction_Metrics.py
computes them (re-created in tests/reference/nn_evaluation_table.py) and FID as pytorch-fid
(tests/reference/stats_pytorch_fid.py), in one process, on the same weights as qtune.

  table_pytorch.py STIM REC FID_WEIGHTS ALEXNET_WEIGHTS INCEPTION_WEIGHTS THREADS
prints "pixcorr ssim_mindeye" on one line, then "name value" for the others. Each network runs
once per folder, AlexNet's two layers from one pass.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "reference"))
import nn_evaluation_table as table  # noqa: E402
import nn_fid_inception  # noqa: E402
import stats_pytorch_fid  # noqa: E402
import stats_reference  # noqa: E402
from torchvision import transforms  # noqa: E402
from torchvision.models.feature_extraction import create_feature_extractor  # noqa: E402


@torch.no_grad()
def network_scores(net, weights, all_images, all_recons, layers):
    model = table.build(net)
    model.load_state_dict(torch.load(weights), strict=net != "alexnet")
    model = create_feature_extractor(model.eval(), return_nodes=layers).eval()
    preprocess = transforms.Compose([
        transforms.Resize(table.SIDE[net], interpolation=transforms.InterpolationMode.BILINEAR),
        table.NORMALIZE])
    preds = model(torch.stack([preprocess(x) for x in all_recons]))
    reals = model(torch.stack([preprocess(x) for x in all_images]))
    return [table.two_way(reals[layer].float().flatten(1).numpy(),
                          preds[layer].float().flatten(1).numpy())[0] for layer in layers]


def main():
    stim, rec, fid_weights, alexnet_weights, inception_weights, threads = sys.argv[1:7]
    torch.set_num_threads(int(threads))
    table.pixels(stim, rec)  # prints "pixcorr ssim_mindeye"
    all_images, all_recons = table.load_folder(stim), table.load_folder(rec)
    alexnet2, alexnet5 = network_scores("alexnet", alexnet_weights, all_images, all_recons,
                                        ["features.4", "features.11"])
    (inception2way,) = network_scores("inception_v3", inception_weights, all_images, all_recons,
                                      ["avgpool"])
    print("alexnet2", alexnet2)
    print("alexnet5", alexnet5)
    print("inception2way", inception2way)
    model = nn_fid_inception.load_model(fid_weights, [2048])
    m1, s1 = stats_pytorch_fid.compute_statistics_of_path(stim, model, 50, 2048, 0)
    m2, s2 = stats_pytorch_fid.compute_statistics_of_path(rec, model, 50, 2048, 0)
    print("fid", float(stats_reference.calculate_frechet_distance(m1, s1, m2, s2)))


if __name__ == "__main__":
    main()
