"""The fMRI evaluation table as MindEye computes it (MedARC-AI/fMRI-reconstruction-NSD,
src/Reconstruction_Metrics.py, re-created here with Debian's torch 1.13 / torchvision 0.14 /
scikit-image 0.19 / scipy) and brain-diffuser's binomial p-value, for the C++ parity tests.

usage:
  nn_evaluation_table.py make STIM REC N H W SEED
      N smooth colour PNGs in STIM (0.png ..) and noisy, shifted versions of them in REC.
  nn_evaluation_table.py weights NET OUT.pth SEED
      random torchvision weights (NET alexnet, inception_v3, resnet50, efficientnet_b1, clip
      (clipweights' small CLIP ViT), clip_vit_l14 (a full-size one, 1.2 GB), or
      swav: resnet50's saved as SwAV's checkpoint is, every key prefixed "module.", no fc, with
      its projection head and prototypes; the networks with BatchNorm have its statistics
      calibrated on random images so that activations stay O(1)), torch.save'd.
  nn_evaluation_table.py pixels STIM REC
      prints "pixcorr ssim_mindeye".
  nn_evaluation_table.py twoway NET WEIGHTS STIM REC LAYER OUT.f32
      prints "score successes p_value" of 2-way identification on the layer's features
      (alexnet: features.4 or features.11; inception_v3: avgpool; clip: any LAYER, the image
      embedding) and writes the features of STIM then REC as float32 rows.
  nn_evaluation_table.py distance NET WEIGHTS STIM REC OUT.f32
      MindEye's effnet (NET efficientnet_b1) or swav (NET swav: loaded as torch.hub's
      facebookresearch/swav resnet50 loads it) metric: prints the mean scipy correlation
      distance of the avgpool features and writes them as for twoway.
  nn_evaluation_table.py stats A.f64 B.f64 N D K[,K...]
      for N x D float64 features: "score successes p_value correlation_distance" and
      binom.sf(K, N (N - 1), 0.5) for each K.
  nn_evaluation_table.py bench NET WEIGHTS BATCH SIDE REPEATS THREADS
      prints the best images/s of the forward pass on random SIDE x SIDE batches.
  nn_evaluation_table.py clipweights OUT.pth SEED [WIDTH LAYERS OUTPUT_DIM]
      random weights of CLIP's VisionTransformer (default a small one: width 256, so 4
      heads, 2 layers, patch 14, 224 input, output 32), saved as a whole CLIP model's state
      dict is (visual.* keys, plus a few text-tower keys the image tower ignores). `twoway
      clip ...` is MindEye's CLIP column: 2-way identification on encode_image of the
      pure-PyTorch re-creation of CLIP's VisionTransformer below (Resize(224) bilinear as
      MindEye, then CLIP's centre crop to 224 x 224, CLIP's mean/std).
  nn_evaluation_table.py torchscript OUT.pt
      a small TorchScript archive (as OpenAI's ViT-L-14.pt is one), for the refusal test.
"""
import collections
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
    if net == "clip":
        clip_weights(out_path, seed)
        return
    if net == "clip_vit_l14":  # full size, for the benchmark
        clip_weights(out_path, seed, 1024, 24, 768)
        return
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
    if net == "clip":
        reals, preds = clip_features(weights, stim, rec)
    else:
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
    if net.startswith("clip"):
        model = load_clip(weights)
    else:
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


class QuickGELU(torch.nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(torch.nn.Module):
    """CLIP's block (OpenAI clip/model.py): pre-norm attention and QuickGELU MLP, residuals."""

    def __init__(self, width, heads):
        super().__init__()
        self.attn = torch.nn.MultiheadAttention(width, heads)
        self.ln_1 = torch.nn.LayerNorm(width)
        self.mlp = torch.nn.Sequential(collections.OrderedDict([
            ("c_fc", torch.nn.Linear(width, 4 * width)), ("gelu", QuickGELU()),
            ("c_proj", torch.nn.Linear(4 * width, width))]))
        self.ln_2 = torch.nn.LayerNorm(width)

    def forward(self, x):  # tokens x batch x width, as CLIP runs nn.MultiheadAttention
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(torch.nn.Module):
    def __init__(self, width, layers, heads):
        super().__init__()
        self.resblocks = torch.nn.Sequential(
            *[ResidualAttentionBlock(width, heads) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisionTransformer(torch.nn.Module):
    """CLIP's image tower: encode_image(x) = ln_post(class token) @ proj."""

    def __init__(self, width, layers, patch, output_dim, side=224):
        super().__init__()
        scale = width ** -0.5
        grid = side // patch
        self.conv1 = torch.nn.Conv2d(3, width, patch, patch, bias=False)
        self.class_embedding = torch.nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = torch.nn.Parameter(scale * torch.randn(grid * grid + 1, width))
        self.ln_pre = torch.nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, width // 64)
        self.ln_post = torch.nn.LayerNorm(width)
        self.proj = torch.nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x).permute(1, 0, 2)
        x = self.transformer(x).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


CLIP_NORMALIZE = transforms.Normalize(mean=[0.48145466, 0.4578275, 0.40821073],
                                      std=[0.26862954, 0.26130258, 0.27577711])


def clip_weights(out_path, seed, width=256, layers=2, output_dim=32):
    torch.manual_seed(seed)
    visual = VisionTransformer(width, layers, 14, output_dim)
    with torch.no_grad():
        for module in visual.modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
            elif isinstance(module, torch.nn.MultiheadAttention):
                module.in_proj_bias.uniform_(-0.1, 0.1)
                module.out_proj.bias.uniform_(-0.1, 0.1)
    state = {"visual." + k: v for k, v in visual.state_dict().items()}
    # A whole CLIP model's file also holds the text tower: keys the image tower ignores.
    state["positional_embedding"] = torch.randn(77, 64)
    state["text_projection"] = torch.randn(64, output_dim)
    state["logit_scale"] = torch.tensor(4.6052)
    torch.save(state, out_path)


def load_clip(weights):
    state = {k[len("visual."):]: v for k, v in torch.load(weights).items() if k.startswith("visual.")}
    width = state["conv1.weight"].shape[0]
    layers = len({k.split(".")[2] for k in state if k.startswith("transformer.resblocks.")})
    model = VisionTransformer(width, layers, state["conv1.weight"].shape[2], state["proj"].shape[1])
    model.load_state_dict(state)
    return model.eval()


@torch.no_grad()
def clip_features(weights, stim, rec):
    """MindEye's CLIP column (Resize(224) bilinear on tensors, CLIP's mean/std, encode_image),
    with the centre crop of CLIP's own preprocess so that non-square images have 224 x 224."""
    model = load_clip(weights)
    preprocess = transforms.Compose([
        transforms.Resize(224, interpolation=transforms.InterpolationMode.BILINEAR),
        transforms.CenterCrop(224), CLIP_NORMALIZE])
    all_images, all_recons = load_folder(stim), load_folder(rec)
    preds = model(torch.stack([preprocess(x) for x in all_recons])).float().flatten(1).numpy()
    return model(torch.stack([preprocess(x) for x in all_images])).float().flatten(1).numpy(), preds


def torchscript(out_path):
    torch.jit.save(torch.jit.script(torch.nn.Linear(4, 2)), out_path)


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
    elif cmd == "clipweights":
        clip_weights(args[0], int(args[1]), *map(int, args[2:5]))
    elif cmd == "torchscript":
        torchscript(args[0])
    elif cmd == "bench":
        bench(args[0], args[1], *map(int, args[2:6]))
    else:
        sys.exit(f"nn_evaluation_table.py: unknown command {cmd!r}")


if __name__ == "__main__":
    main()
