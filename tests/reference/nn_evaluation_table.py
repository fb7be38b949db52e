"""The fMRI evaluation table as MindEye computes it (MedARC-AI/fMRI-reconstruction-NSD,
src/Reconstruction_Metrics.py, re-created here with Debian's torch 1.13 / torchvision 0.14 /
scikit-image 0.19 / scipy) and brain-diffuser's binomial p-value, for the C++ parity tests.

usage:
  nn_evaluation_table.py make STIM REC N H W SEED
      N smooth colour PNGs in STIM (0.png ..) and noisy, shifted versions of them in REC.
  nn_evaluation_table.py weights NET OUT.pth SEED
      random torchvision weights (NET alexnet, inception_v3, resnet50, efficientnet_b1, or
      swav: resnet50's saved as SwAV's checkpoint is, every key prefixed "module.", no fc, with
      its projection head and prototypes; the networks with BatchNorm have its statistics
      calibrated on random images so that activations stay O(1)), torch.save'd.
  nn_evaluation_table.py pixels STIM REC
      prints "pixcorr ssim_mindeye".
  nn_evaluation_table.py twoway NET WEIGHTS STIM REC LAYER OUT.f32
      prints "score successes p_value" of 2-way identification on the layer's features
      (alexnet: features.4 or features.11; inception_v3: avgpool) and writes the features
      of STIM then REC as float32 rows.
  nn_evaluation_table.py distance NET WEIGHTS STIM REC OUT.f32
      MindEye's effnet (NET efficientnet_b1) or swav (NET swav: loaded as torch.hub's
      facebookresearch/swav resnet50 loads it) metric: prints the mean scipy correlation
      distance of the avgpool features and writes them as for twoway.
  nn_evaluation_table.py stats A.f64 B.f64 N D K[,K...]
      for N x D float64 features: "score successes p_value correlation_distance" and
      binom.sf(K, N (N - 1), 0.5) for each K.
  nn_evaluation_table.py bench NET WEIGHTS BATCH SIDE REPEATS THREADS
      prints the best images/s of the forward pass on random SIDE x SIDE batches.
"""
import pathlib
import sys
import time

import numpy as np
import scipy as sp
import scipy.spatial  # noqa: F401
import torch
import torchvision
from PIL import Image
from scipy.stats import binom
from skimage.color import rgb2gray
from skimage.metrics import structural_similarity as ssim
from torchvision import transforms
from torchvision.models.feature_extraction import create_feature_extractor

NORMALIZE = transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
SIDE = {"alexnet": 256, "inception_v3": 342, "efficientnet_b1": 255, "swav": 224, "resnet50": 224}


def make(stim, rec, n, h, w, seed):
    rng = np.random.default_rng(seed)
    pathlib.Path(stim).mkdir(parents=True, exist_ok=True)
    pathlib.Path(rec).mkdir(parents=True, exist_ok=True)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)

    def picture():
        img = np.zeros((h, w, 3))
        for c in range(3):
            fy, fx, ph = rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), rng.uniform(0, 6.3)
            img[..., c] = 0.5 + 0.4 * np.sin(fy * y + fx * x + ph)
        cy, cx, r = rng.uniform(0, h), rng.uniform(0, w), rng.uniform(0.2, 0.5) * min(h, w)
        img[(y - cy) ** 2 + (x - cx) ** 2 < r * r] *= rng.uniform(0.2, 0.8)
        return img

    for i in range(n):
        img = picture()
        # A poor reconstruction: a little of the stimulus in another picture, plus noise,
        # so that 2-way identification lands between chance and perfect.
        noisy = 0.3 * np.roll(img, 2, axis=1) + 0.7 * picture() + rng.normal(0, 0.1, img.shape)
        Image.fromarray(np.uint8(np.clip(img, 0, 1) * 255 + 0.5)).save(f"{stim}/{i}.png")
        Image.fromarray(np.uint8(np.clip(noisy, 0, 1) * 255 + 0.5)).save(f"{rec}/{i}.png")


def build(net):
    if net == "alexnet":
        return torchvision.models.alexnet()
    if net in ("resnet50", "swav"):
        return torchvision.models.resnet50()
    if net == "efficientnet_b1":
        return torchvision.models.efficientnet_b1()
    return torchvision.models.Inception3(transform_input=True, aux_logits=True, init_weights=False)


CALIBRATION_SIDE = {"inception_v3": 299, "resnet50": 224, "swav": 224, "efficientnet_b1": 255}


def smooth_pictures(n, side, seed):
    """Colour sinusoids like make()'s at the network's input size. Calibrating BatchNorm on
    these (not on uniform noise) centres each avgpool feature on pictures like the tests',
    so that two pictures' features are far from collinear and their correlation distance is
    well conditioned (about 0.4 rather than 0.002 on 6 test pairs)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:side, 0:side].astype(np.float64)
    out = np.zeros((n, 3, side, side))
    for i in range(n):
        for c in range(3):
            fy, fx, ph = rng.uniform(0.005, 0.05), rng.uniform(0.005, 0.05), rng.uniform(0, 6.3)
            out[i, c] = 0.5 + 0.4 * np.sin(fy * y + fx * x + ph)
    return torch.tensor(out, dtype=torch.float32)


def write_weights(net, out_path, seed):
    torch.manual_seed(seed)
    model = build(net)
    if net in CALIBRATION_SIDE:
        with torch.no_grad():
            for module in model.modules():
                if isinstance(module, torch.nn.Conv2d):
                    torch.nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                    if module.bias is not None:  # squeeze-excitation's fc1/fc2
                        module.bias.uniform_(-0.2, 0.2)
                elif isinstance(module, torch.nn.BatchNorm2d):
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.2, 0.2)
                    module.reset_running_stats()
                    module.momentum = None
            model.train()
            side = CALIBRATION_SIDE[net]
            if net == "inception_v3":
                model(torch.rand(4, 3, side, side))
            else:
                model(NORMALIZE(smooth_pictures(8, side, seed)))
    model.eval()
    state = model.state_dict()
    if net == "alexnet":  # the classifier (230 MB) is not used by the table: leave it out
        state = {k: v for k, v in state.items() if k.startswith("features.")}
    if net == "swav":  # SwAV's DataParallel checkpoint: "module." keys, its heads, no fc
        state = {"module." + k: v for k, v in state.items() if not k.startswith("fc.")}
        state["module.projection_head.0.weight"] = torch.randn(2048, 2048)
        state["module.prototypes.weight"] = torch.randn(3000, 128)
    torch.save(state, out_path)


def load_weights(net, model, weights):
    state = torch.load(weights)
    if net == "swav":  # facebookresearch/swav's hubconf.py
        state = {k.replace("module.", ""): v for k, v in state.items()}
        model.load_state_dict(state, strict=False)
    else:
        model.load_state_dict(state, strict=net != "alexnet")


def load_folder(folder):
    """MindEye's all_images: [0, 1] float tensors (PIL convert("RGB") + ToTensor), sorted."""
    files = sorted(str(p) for p in pathlib.Path(folder).iterdir() if p.suffix == ".png")
    return torch.stack([transforms.functional.to_tensor(Image.open(f).convert("RGB")) for f in files])


def pixels(stim, rec):
    all_images, all_recons = load_folder(stim), load_folder(rec)
    preprocess = transforms.Resize(425, interpolation=transforms.InterpolationMode.BILINEAR)
    a = preprocess(all_images).reshape(len(all_images), -1)
    b = preprocess(all_recons).view(len(all_recons), -1)
    pixcorr = np.mean([np.corrcoef(a[i], b[i])[0][1] for i in range(len(a))])
    img_gray = rgb2gray(preprocess(all_images).permute((0, 2, 3, 1)))
    recon_gray = rgb2gray(preprocess(all_recons).permute((0, 2, 3, 1)))
    scores = [ssim(r, i, multichannel=True, gaussian_weights=True, sigma=1.5,
                   use_sample_covariance=False, data_range=1.0) for i, r in zip(img_gray, recon_gray)]
    print(repr(float(pixcorr)), repr(float(np.mean(scores))))


def two_way(reals, preds):
    """MindEye's two_way_identification (return_avg) and brain-diffuser's p-value."""
    n = len(reals)
    r = np.corrcoef(reals, preds)[:n, n:]
    success_cnt = np.sum(r < np.diag(r), 0)
    perf = np.mean(success_cnt) / (n - 1)
    p = 1 - binom.cdf(perf * n * (n - 1), n * (n - 1), 0.5)
    return perf, int(np.sum(success_cnt)), p


@torch.no_grad()
def features(net, weights, stim, rec, layer):
    model = build(net)
    load_weights(net, model, weights)
    model = create_feature_extractor(model.eval(), return_nodes=[layer]).eval()
    preprocess = transforms.Compose([
        transforms.Resize(SIDE[net], interpolation=transforms.InterpolationMode.BILINEAR), NORMALIZE])
    all_images, all_recons = load_folder(stim), load_folder(rec)
    preds = model(torch.stack([preprocess(x) for x in all_recons]))[layer].float().flatten(1).numpy()
    reals = model(torch.stack([preprocess(x) for x in all_images]))[layer].float().flatten(1).numpy()
    return reals, preds


def twoway(net, weights, stim, rec, layer, out_path):
    reals, preds = features(net, weights, stim, rec, layer)
    perf, successes, p = two_way(reals, preds)
    np.concatenate([reals, preds]).astype(np.float32).tofile(out_path)
    print(repr(float(perf)), successes, repr(float(p)))


def distance(net, weights, stim, rec, out_path):
    """MindEye's EffNet-B / SwAV columns: scipy's correlation distance, averaged."""
    reals, preds = features(net, weights, stim, rec, "avgpool")
    d = np.array([sp.spatial.distance.correlation(reals[i], preds[i]) for i in range(len(reals))])
    np.concatenate([reals, preds]).astype(np.float32).tofile(out_path)
    print(repr(float(d.mean())))


def stats(a_path, b_path, n, d, k):
    a = np.fromfile(a_path, dtype=np.float64).reshape(n, d)
    b = np.fromfile(b_path, dtype=np.float64).reshape(n, d)
    perf, successes, p = two_way(a, b)
    dist = np.mean([sp.spatial.distance.correlation(a[i], b[i]) for i in range(n)])
    tails = [repr(float(binom.sf(int(x), n * (n - 1), 0.5))) for x in k.split(",")]
    print(repr(float(perf)), successes, repr(float(p)), repr(float(dist)), *tails)


@torch.no_grad()
def bench(net, weights, batch, side, repeats, threads):
    torch.set_num_threads(threads)
    model = build(net)
    load_weights(net, model, weights)
    layer = "features.11" if net == "alexnet" else "avgpool"
    model = create_feature_extractor(model.eval(), return_nodes=[layer]).eval()
    x = torch.rand(batch, 3, side, side)
    model(x)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model(x)
        best = min(best, time.perf_counter() - start)
    print(f"{batch / best:.3f}")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "make":
        make(args[0], args[1], *map(int, args[2:6]))
    elif cmd == "weights":
        write_weights(args[0], args[1], int(args[2]))
    elif cmd == "pixels":
        pixels(args[0], args[1])
    elif cmd == "twoway":
        twoway(*args[:6])
    elif cmd == "distance":
        distance(*args[:5])
    elif cmd == "stats":
        stats(args[0], args[1], int(args[2]), int(args[3]), args[4])
    elif cmd == "bench":
        bench(args[0], args[1], *map(int, args[2:6]))
    else:
        sys.exit(f"nn_evaluation_table.py: unknown command {cmd!r}")


if __name__ == "__main__":
    main()
