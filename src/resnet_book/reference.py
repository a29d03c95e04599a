"""Published numbers the course compares against -- kept ONCE here, each with its source.

Chapters and tests read these values; nobody types a paper number by hand. Every entry says
which paper, table or figure it comes from (``source``). Errors are in percent.
"""

from __future__ import annotations

HE2015 = "He, Zhang, Ren, Sun (2015), Deep Residual Learning for Image Recognition, arXiv:1512.03385"
HE2016 = "He, Zhang, Ren, Sun (2016), Identity Mappings in Deep Residual Networks, arXiv:1603.05027"
AKAMASTER = "akamaster/pytorch_resnet_cifar10 (GitHub), option A, 200 epochs, best epoch on the test set"

# --- He et al. 2015, Sec. 4.2: CIFAR-10 recipe ---------------------------------------------
CIFAR_RECIPE = {
    "source": f"{HE2015}, Sec. 4.2",
    "batch_size": 128,
    "lr": 0.1,
    "momentum": 0.9,
    "weight_decay": 1e-4,
    "lr_milestones": (32_000, 48_000),  # iterations; lr divided by 10 at each
    "max_iters": 64_000,
    "train_val_split": (45_000, 5_000),
    "warmup_lr": 0.01,  # ResNet-110 only: until training error < 80% (about 400 iterations)
    "warmup_until_train_error": 0.80,
    "pad": 4,
}

# --- He et al. 2015, Table 6: CIFAR-10 test error (%) ---------------------------------------
TABLE6 = {
    "source": f"{HE2015}, Table 6",
    # depth: (params as printed, test error %, note)
    "resnet": {
        20: {"params_m": 0.27, "error": 8.75},
        32: {"params_m": 0.46, "error": 7.51},
        44: {"params_m": 0.66, "error": 7.17},
        56: {"params_m": 0.85, "error": 6.97},
        110: {"params_m": 1.7, "error": 6.43, "mean": 6.61, "std": 0.16, "note": "best of 5 runs; mean 6.61 +- 0.16"},
        1202: {"params_m": 19.4, "error": 7.93},
    },
    "others": {
        "Highway-19": {"params_m": 2.3, "error": 7.54, "note": "7.72 +- 0.16"},
        "Highway-32": {"params_m": 1.25, "error": 8.80},
        "FitNet-19": {"params_m": 2.5, "error": 8.39},
        "Maxout": {"error": 9.38},
        "NIN": {"error": 8.81},
        "DSN": {"error": 8.22},
    },
}

# Exact parameter counts of the option-A CIFAR ResNets (bias-free convs, affine BN, FC with bias);
# Table 6 prints them rounded (0.27M, ...). Derived from the Sec. 4.2 architecture.
CIFAR_PARAMS_OPTION_A = {20: 269_722, 32: 464_154, 44: 658_586, 56: 853_018, 110: 1_727_962, 1202: 19_421_274}


def cifar_macs(depth: int) -> int:
    """Forward multiply-accumulates per 32x32 image of an option-A CIFAR ResNet of ``depth``.

    Derived from the Sec. 4.2 architecture: (6n-2) full 3x3 layers of 2,359,296 MACs, two
    stride-2 layers of half that, the 3-channel stem and the FC.
    """
    n = (depth - 2) // 6
    return 2_359_296 * (6 * n - 2) + 2_802_304


# --- He et al. 2015, Fig. 1 / Fig. 6: plain vs residual on CIFAR-10 ---------------------------
FIG6 = {
    "source": f"{HE2015}, Fig. 6 (and Fig. 1)",
    "claims": [
        "Deeper plain nets have higher training error: plain-20 < plain-32 < plain-44 < plain-56.",
        "The error of plain-110 is higher than 60% and not displayed (Fig. 6 caption).",
        "ResNets get better with depth up to 110 layers.",
        "ResNet-1202 reaches < 0.1% training error but higher test error than ResNet-110.",
    ],
    # Test errors of plain nets are only plotted in the paper; this is a third-party reading of
    # the plot, approximate to about half a point.
    "plain_test_error_read_from_plot": {20: 9.5, 32: 10.0, 44: 12.0, 56: 13.5},
    "plain_test_error_note": "read off the plot of Fig. 6 (left) by a third party; approximate",
}

# --- He et al. 2015, Fig. 7: layer responses -------------------------------------------------
FIG7 = {
    "source": f"{HE2015}, Fig. 7",
    "models": ["plain20", "plain56", "resnet20", "resnet56", "resnet110"],
    "response": "output of each 3x3 layer after BN and before the nonlinearity (and the addition)",
    "claim": "ResNets have generally smaller responses than plain nets; deeper ResNets smaller still.",
}

# --- He et al. 2015, Table 1: ImageNet architectures ----------------------------------------
TABLE1 = {
    "source": f"{HE2015}, Table 1",
    # multiply-adds at 224x224 ("FLOPs" in the paper)
    "flops": {18: 1.8e9, 34: 3.6e9, 50: 3.8e9, 101: 7.6e9, 152: 11.3e9},
    "vgg19_flops": 19.6e9,
    "blocks": {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)},
    "block_type": {18: "basic", 34: "basic", 50: "bottleneck", 101: "bottleneck", 152: "bottleneck"},
    "stage_output": {"conv1": 112, "conv2_x": 56, "conv3_x": 28, "conv4_x": 14, "conv5_x": 7},
}

# torchvision's parameter counts of the same architectures (option B shortcuts).
IMAGENET_PARAMS = {
    "source": "torchvision.models documentation (num_params)",
    18: 11_689_512, 34: 21_797_672, 50: 25_557_032, 101: 44_549_160, 152: 60_192_808,
}

# --- He et al. 2015, Tables 2-5: ImageNet error (%) -----------------------------------------
TABLE2 = {"source": f"{HE2015}, Table 2 (top-1, 10-crop, val)",
          "plain18": 27.94, "plain34": 28.54, "resnet18": 27.88, "resnet34": 25.03}
TABLE3 = {
    "source": f"{HE2015}, Table 3 (10-crop, val; top-1 / top-5)",
    "plain34": (28.54, 10.02),
    "resnet34_A": (25.03, 7.76), "resnet34_B": (24.52, 7.46), "resnet34_C": (24.19, 7.40),
    "resnet50": (22.85, 6.71), "resnet101": (21.75, 6.05), "resnet152": (21.43, 5.71),
}
TABLE4 = {
    "source": f"{HE2015}, Table 4 (single model, val; top-1 / top-5)",
    "resnet34_B": (21.84, 5.71), "resnet34_C": (21.53, 5.60),
    "resnet50": (20.74, 5.25), "resnet101": (19.87, 4.60), "resnet152": (19.38, 4.49),
}
TABLE5 = {"source": f"{HE2015}, Table 5 (ensemble, test, top-5)", "ensemble_top5": 3.57}
IMAGENET_RECIPE = {
    "source": f"{HE2015}, Sec. 3.4",
    "batch_size": 256, "lr": 0.1, "lr_schedule": "divide by 10 when the error plateaus",
    "max_iters": 600_000, "weight_decay": 1e-4, "momentum": 0.9, "scale_aug": (256, 480),
}

# --- He et al. 2015, Tables 7-8 (Sec. 4.3): object detection, baseline Faster R-CNN, mAP (%) -----
# The same detector twice; only the backbone network changes (VGG-16 -> ResNet-101).
TABLE7 = {
    "source": f"{HE2015}, Table 7 (PASCAL VOC test sets, baseline Faster R-CNN, mAP %)",
    # test set: (training data, {backbone: mAP}); 07+12 = VOC 2007 trainval + 2012 trainval,
    # 07++12 = 07+12 plus VOC 2007 test
    "VOC 07 test": ("07+12", {"VGG-16": 73.2, "ResNet-101": 76.4}),
    "VOC 12 test": ("07++12", {"VGG-16": 70.4, "ResNet-101": 73.8}),
}
TABLE8 = {
    "source": f"{HE2015}, Table 8 (COCO validation set, baseline Faster R-CNN, mAP %)",
    # metric: {backbone: mAP}; mAP@[.5, .95] (averaged over IoU thresholds) is COCO's standard metric
    "mAP@.5": {"VGG-16": 41.5, "ResNet-101": 48.4},
    "mAP@[.5, .95]": {"VGG-16": 21.2, "ResNet-101": 27.2},
}

# --- He et al. 2016, Identity Mappings (CIFAR-10 test error %) --------------------------------
IDENTITY_MAPPINGS = {
    "source": HE2016,
    "table1_resnet110_shortcuts": {  # Table 1
        # constant scaling: lambda = 0.5 on the shortcut alone "does not converge well"; 0.5 on the
        # shortcut AND on F converges, to 12.35 (Sec. 3.1)
        "original": 6.61, "constant scaling, 0.5 on the shortcut only": None,
        "constant scaling, 0.5 on the shortcut and on F": 12.35, "exclusive gating (init -6)": 8.70,
        "shortcut-only gating (init -6)": 6.91, "shortcut-only gating (init 0)": 12.86,
        "1x1 conv shortcut": 12.22, "dropout shortcut": None,  # None = "fails" in the paper
    },
    "table2_activation": {  # Table 2: (ResNet-110, ResNet-164)
        "original": (6.61, 5.93), "BN after addition": (8.17, 6.50), "ReLU before addition": (7.84, 6.14),
        "ReLU-only pre-activation": (6.71, 5.91), "full pre-activation": (6.37, 5.46),
    },
    "table3": {  # Table 3: (original, pre-activation)
        "CIFAR-10 ResNet-110": (6.61, 6.37), "CIFAR-10 ResNet-164": (5.93, 5.46),
        "CIFAR-10 ResNet-1001": (7.61, 4.92), "CIFAR-100 ResNet-164": (25.16, 24.33),
        "CIFAR-100 ResNet-1001": (27.82, 22.71),
    },
    "params_m": {"preact_resnet110": 1.7, "preact_resnet164": 1.7, "preact_resnet1001": 10.2},  # Table 4
    # Abstract: the 1001-layer pre-activation ResNet's best CIFAR-10 error (Table 3 gives the 4.92 above).
    "abstract_resnet1001": 4.62,
}

# --- Later variants (CIFAR-10 / CIFAR-100 test error %, with augmentation) ---------------------
VARIANTS = {
    "WRN-28-10": {"source": "Zagoruyko & Komodakis (2016), Wide Residual Networks, official README",
                  "params_m": 36.5, "cifar10": 4.00, "cifar100": 19.25},
    "WRN-28-10 + dropout": {"source": "Zagoruyko & Komodakis (2016), official README",
                            "params_m": 36.5, "cifar10": 3.89, "cifar100": 18.85},
    "WRN-16-8": {"source": "secondary source (approximate)", "params_m": 11.0, "cifar10": 4.27},
    "WRN-40-4": {"source": "secondary source (approximate)", "params_m": 8.9, "cifar10": 4.53},
    "ResNeXt-29 8x64d": {"source": "Xie et al. (2017), Aggregated Residual Transformations, Table 7",
                         "params_m": 34.4, "cifar10": 3.65, "cifar100": 17.77},
    "ResNeXt-29 16x64d": {"source": "Xie et al. (2017), Table 7", "params_m": 68.1, "cifar10": 3.58, "cifar100": 17.31},
    "DenseNet-BC L=100 k=12": {"source": "Huang et al. (2017), Densely Connected CNNs, official README",
                               "params_m": 0.8, "cifar10": 4.51, "cifar100": 22.27},
    "DenseNet-BC L=250 k=24": {"source": "Huang et al. (2017), official README", "params_m": 15.3, "cifar10": 3.62, "cifar100": 17.60},
    "DenseNet-BC L=190 k=40": {"source": "Huang et al. (2017), official README", "params_m": 25.6, "cifar10": 3.46, "cifar100": 17.18},
    "ResNet-110 (constant depth)": {"source": "Huang et al. (2016), Deep Networks with Stochastic Depth, Fig. 3 "
                                              "and official README (their own baseline run)", "cifar10": 6.41},
    "ResNet-110 + stochastic depth": {"source": "Huang et al. (2016), Table 1 (linear decay, p_L = 0.5)",
                                      "cifar10": 5.25},
    "ResNet-1202 + stochastic depth": {"source": "Huang et al. (2016), abstract and Table 1", "cifar10": 4.91},
    "SE-ResNet-110": {"source": "Hu et al., Squeeze-and-Excitation Networks (TPAMI version), CIFAR-10 table; "
                                "secondary source (a replication page quoting it), not checked against the PDF",
                      "cifar10": 5.21},
    "SE-ResNet-164": {"source": "Hu et al., Squeeze-and-Excitation Networks (TPAMI version), CIFAR-10 table; "
                                "secondary source (a replication page quoting it), not checked against the PDF",
                      "cifar10": 4.39},
}

# --- Known reproductions ---------------------------------------------------------------------
AKAMASTER_CIFAR10 = {
    "source": AKAMASTER,
    "error": {20: 8.27, 32: 7.37, 44: 6.90, 56: 6.61, 110: 6.32, 1202: 6.18},
    "caveat": "best epoch selected on the test set",
}
