#!/usr/bin/python3
"""PyTorch fixtures for the vision functionals and their modules: F.interpolate / nn.Upsample*, F.grid_sample,
F.affine_grid, F.pixel_shuffle / pixel_unshuffle (+ modules), F.instance_norm / nn.InstanceNorm1d/2d,
F.adaptive_max_pool1d/2d (+ modules, return_indices), the padding layers.

Writes test/fixtures/nn_vision.json:
  {"cases": [LAYER, ...]   (the format of nn_layers.json, see scripts/gen_nn_fixtures.py),
   "funcs": [{"name", "fn" (torchlet's name), "inputs", "args", "opts", "out" (VALUE or [VALUE...]), "gradOut",
              "inputGrads"}]   args/opts values {"input": i} stand for input i,
   "errors": [{"name", "error"}]}
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_nn_fixtures as G  # noqa: E402

R = G.R
FUNCS = []
ERRORS = []


class I:
    def __init__(self, i):
        self.i = i


def fcase(name, fn_key, fn, inputs, args=(), kwargs=None, grad=True):
    kwargs = kwargs or {}
    ins = [t.detach().clone() for t in inputs]
    for t in ins:
        if grad and t.is_floating_point():
            t.requires_grad_(True)
    res = lambda a: ins[a.i] if isinstance(a, I) else a  # noqa: E731
    out = fn(*[res(a) for a in args], **{k: res(v) for k, v in kwargs.items()})
    outs = list(out) if isinstance(out, tuple) else [out]
    js = lambda a: {"input": a.i} if isinstance(a, I) else G.jsonable(a)  # noqa: E731
    entry = {"name": name, "fn": fn_key, "inputs": [dict(G.enc(t), requiresGrad=t.requires_grad) for t in ins],
             "args": [js(a) for a in args], "opts": {G.camel(k): js(v) for k, v in kwargs.items()},
             "out": [G.enc(o) for o in outs] if isinstance(out, tuple) else G.enc(out)}
    o0 = outs[0]
    if o0.is_floating_point() and o0.requires_grad:
        go = torch.randn(o0.shape)
        (o0 * go).sum().backward()
        entry["gradOut"] = G.enc(go)
        entry["inputGrads"] = [G.enc(t.grad) if t.requires_grad and t.grad is not None else None for t in ins]
    FUNCS.append(entry)


def err(name, fn):
    try:
        fn()
    except Exception as ex:  # noqa: BLE001
        ERRORS.append({"name": name, "error": str(ex).split("\n")[0]})
        return
    raise SystemExit("expected an error for " + name)


def gen_funcs():
    torch.manual_seed(7)
    x3, x4, x5 = R(2, 3, 5), R(2, 3, 4, 5), R(1, 2, 3, 4, 3)
    X = I(0)
    # interpolate
    for mode in ("nearest", "nearest-exact"):
        fcase("interpolate/%s_size_1d" % mode, "interpolate", F.interpolate, [x3], [X], {"size": 8, "mode": mode})
        fcase("interpolate/%s_scale_2d" % mode, "interpolate", F.interpolate, [x4], [X], {"scale_factor": 1.7, "mode": mode})
        fcase("interpolate/%s_down_2d" % mode, "interpolate", F.interpolate, [x4], [X], {"size": (3, 2), "mode": mode})
    fcase("interpolate/nearest_x2_3d", "interpolate", F.interpolate, [x5], [X], {"scale_factor": 2})
    fcase("interpolate/nearest_scales_tuple", "interpolate", F.interpolate, [x4], [X], {"scale_factor": (2, 0.6)})
    for ac in (False, True):
        s = "ac" if ac else "noac"
        fcase("interpolate/linear_size_%s" % s, "interpolate", F.interpolate, [x3], [X], {"size": 9, "mode": "linear", "align_corners": ac})
        fcase("interpolate/linear_down_%s" % s, "interpolate", F.interpolate, [x3], [X], {"size": 3, "mode": "linear", "align_corners": ac})
        fcase("interpolate/bilinear_size_%s" % s, "interpolate", F.interpolate, [x4], [X], {"size": (7, 3), "mode": "bilinear", "align_corners": ac})
        fcase("interpolate/bilinear_scale_%s" % s, "interpolate", F.interpolate, [x4], [X], {"scale_factor": 1.5, "mode": "bilinear", "align_corners": ac})
        fcase("interpolate/trilinear_%s" % s, "interpolate", F.interpolate, [x5], [X], {"size": (4, 5, 2), "mode": "trilinear", "align_corners": ac})
        fcase("interpolate/bilinear_to_1_%s" % s, "interpolate", F.interpolate, [x4], [X], {"size": (1, 2), "mode": "bilinear", "align_corners": ac})
        fcase("interpolate/bicubic_size_%s" % s, "interpolate", F.interpolate, [x4], [X], {"size": (7, 3), "mode": "bicubic", "align_corners": ac})
        fcase("interpolate/bicubic_scale_%s" % s, "interpolate", F.interpolate, [x4], [X], {"scale_factor": 1.5, "mode": "bicubic", "align_corners": ac})
    fcase("interpolate/bilinear_scale_recompute", "interpolate", F.interpolate, [x4], [X],
          {"scale_factor": 1.5, "mode": "bilinear", "recompute_scale_factor": True})
    fcase("interpolate/nearest_scale_recompute", "interpolate", F.interpolate, [x4], [X], {"scale_factor": 1.7, "recompute_scale_factor": True})
    fcase("interpolate/bilinear_down_scale", "interpolate", F.interpolate, [R(1, 2, 9, 7)], [X], {"scale_factor": 0.45, "mode": "bilinear"})
    fcase("interpolate/area_2d", "interpolate", F.interpolate, [R(1, 2, 9, 7)], [X], {"size": (4, 3), "mode": "area"})
    fcase("interpolate/area_1d", "interpolate", F.interpolate, [x3], [X], {"size": 2, "mode": "area"})
    fcase("interpolate/float64", "interpolate", F.interpolate, [x4.double()], [X], {"size": (6, 7), "mode": "bilinear"})
    # grid_sample
    inp = R(2, 3, 4, 5)
    grid = torch.rand(2, 3, 6, 2) * 2.6 - 1.3
    for mode in ("bilinear", "nearest", "bicubic"):
        for pm in ("zeros", "border", "reflection"):
            for ac in (False, True):
                fcase("grid_sample/%s_%s_%s" % (mode, pm, "ac" if ac else "noac"), "gridSample", F.grid_sample, [inp, grid], [I(0), I(1)],
                      {"mode": mode, "padding_mode": pm, "align_corners": ac})
    fcase("grid_sample/reflection_far", "gridSample", F.grid_sample, [R(1, 2, 3, 4), torch.rand(1, 4, 4, 2) * 8 - 4], [I(0), I(1)],
          {"padding_mode": "reflection", "align_corners": False})
    fcase("grid_sample/reflection_far_ac", "gridSample", F.grid_sample, [R(1, 2, 3, 4), torch.rand(1, 4, 4, 2) * 8 - 4], [I(0), I(1)],
          {"padding_mode": "reflection", "align_corners": True})
    # affine_grid (+ sampling through it)
    theta = torch.tensor([[[0.9, -0.3, 0.1], [0.2, 1.1, -0.2]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]) + 0.05 * R(2, 2, 3)
    for ac in (False, True):
        fcase("affine_grid/2d_%s" % ("ac" if ac else "noac"), "affineGrid", F.affine_grid, [theta], [I(0), [2, 3, 4, 5]], {"align_corners": ac})
    fcase("affine_grid/3d", "affineGrid", F.affine_grid, [R(1, 3, 4)], [I(0), [1, 2, 2, 3, 4]], {"align_corners": False})
    fcase("affine_grid/size1", "affineGrid", F.affine_grid, [theta], [I(0), [2, 1, 1, 3]], {"align_corners": False})

    def stn(img, th):
        g = F.affine_grid(th, list(img.shape), align_corners=False)
        return F.grid_sample(img, g, align_corners=False)
    fcase("affine_grid/spatial_transformer", "stn", stn, [R(2, 3, 5, 6), theta], [I(0), I(1)])
    # pixel shuffle
    fcase("pixel_shuffle/r2", "pixelShuffle", F.pixel_shuffle, [R(2, 8, 3, 4)], [X, 2])
    fcase("pixel_shuffle/batch_dims", "pixelShuffle", F.pixel_shuffle, [R(2, 3, 9, 2, 2)], [X, 3])
    fcase("pixel_unshuffle/r2", "pixelUnshuffle", F.pixel_unshuffle, [R(2, 2, 4, 6)], [X, 2])
    fcase("pixel_unshuffle/unbatched", "pixelUnshuffle", F.pixel_unshuffle, [R(1, 6, 3)], [X, 3])
    # instance_norm
    fcase("instance_norm/plain", "instanceNorm", F.instance_norm, [R(2, 3, 6)], [X])
    fcase("instance_norm/affine_2d", "instanceNorm", F.instance_norm, [R(2, 3, 4, 5), 1 + 0.3 * R(3), 0.3 * R(3)], [X],
          {"weight": I(1), "bias": I(2), "eps": 1e-3})
    # adaptive max pool
    fcase("adaptive_max_pool2d/uneven", "adaptiveMaxPool2d", F.adaptive_max_pool2d, [R(2, 3, 7, 9)], [X, (3, 4)])
    fcase("adaptive_max_pool2d/indices", "adaptiveMaxPool2d", F.adaptive_max_pool2d, [R(2, 3, 5, 6)], [X, (2, 4)], {"return_indices": True})
    fcase("adaptive_max_pool2d/none_unbatched", "adaptiveMaxPool2d", F.adaptive_max_pool2d, [R(3, 5, 6)], [X, (2, None)], {"return_indices": True})
    fcase("adaptive_max_pool2d/upsample", "adaptiveMaxPool2d", F.adaptive_max_pool2d, [R(1, 2, 3, 2)], [X, 5])
    fcase("adaptive_max_pool1d/indices", "adaptiveMaxPool1d", F.adaptive_max_pool1d, [R(2, 3, 10)], [X, 4], {"return_indices": True})
    fcase("adaptive_max_pool1d/unbatched", "adaptiveMaxPool1d", F.adaptive_max_pool1d, [R(3, 7)], [X, 3])
    # pad modes the padding layers need
    fcase("pad/reflect_2d", "pad", F.pad, [R(2, 3, 4, 5)], [X, [1, 2, 3, 0]], {"mode": "reflect"})
    fcase("pad/replicate_2d", "pad", F.pad, [R(2, 3, 4, 5)], [X, [2, 2, 0, 5]], {"mode": "replicate"})
    fcase("pad/constant_neg", "pad", F.pad, [R(2, 3, 4, 5)], [X, [1, -2, -1, 3]], {"value": 0.5})


def gen_errors():
    x4 = torch.randn(1, 2, 3, 4)
    err("interpolate/both", lambda: F.interpolate(x4, size=3, scale_factor=2))
    err("interpolate/neither", lambda: F.interpolate(x4))
    err("interpolate/align_nearest", lambda: F.interpolate(x4, size=3, align_corners=True))
    err("interpolate/bilinear_3d", lambda: F.interpolate(torch.randn(1, 2, 3), size=3, mode="bilinear"))
    err("interpolate/linear_4d", lambda: F.interpolate(x4, size=3, mode="linear"))
    err("interpolate/size_len", lambda: F.interpolate(x4, size=(1, 2, 3)))
    err("interpolate/recompute_size", lambda: F.interpolate(x4, size=3, recompute_scale_factor=True))
    err("grid_sample/mode", lambda: F.grid_sample(x4, torch.zeros(1, 2, 2, 2), mode="box"))
    err("grid_sample/padding", lambda: F.grid_sample(x4, torch.zeros(1, 2, 2, 2), padding_mode="wrap"))
    err("grid_sample/batch", lambda: F.grid_sample(x4, torch.zeros(2, 2, 2, 2)))
    err("grid_sample/last_dim", lambda: F.grid_sample(x4, torch.zeros(1, 2, 2, 3)))
    err("affine_grid/theta_shape", lambda: F.affine_grid(torch.zeros(1, 3, 3), [1, 1, 2, 2]))
    err("affine_grid/size", lambda: F.affine_grid(torch.zeros(1, 2, 3), [1, 2, 3]))
    err("affine_grid/int_theta", lambda: F.affine_grid(torch.zeros(1, 2, 3, dtype=torch.int64), [1, 1, 2, 2]))
    err("pixel_shuffle/divisible", lambda: F.pixel_shuffle(torch.randn(1, 6, 2, 2), 2))
    err("pixel_shuffle/dims", lambda: F.pixel_shuffle(torch.randn(4, 2), 2))
    err("pixel_unshuffle/height", lambda: F.pixel_unshuffle(torch.randn(1, 1, 3, 4), 2))
    err("adaptive_max_pool2d/dims", lambda: F.adaptive_max_pool2d(torch.randn(2, 3), 2))
    err("instance_norm/one_element", lambda: F.instance_norm(torch.randn(2, 3, 1)))
    err("InstanceNorm1d/dims", lambda: nn.InstanceNorm1d(3)(torch.randn(2, 3, 4, 5)))


def gen_layers():
    torch.manual_seed(11)
    x4, x3 = R(2, 3, 4, 5), R(2, 3, 6)
    TM = ("train", "eval")
    G.layer("Upsample/nearest_scale", "Upsample", (), {"scale_factor": 2}, inputs=[x4])
    G.layer("Upsample/bilinear_size", "Upsample", (), {"size": (6, 7), "mode": "bilinear"}, inputs=[x4])
    G.layer("Upsample/bilinear_ac", "Upsample", (), {"scale_factor": (1.5, 2.5), "mode": "bilinear", "align_corners": True}, inputs=[x4])
    G.layer("Upsample/linear_size", "Upsample", (), {"size": 9, "mode": "linear"}, inputs=[x3])
    G.layer("UpsamplingNearest2d/size", "UpsamplingNearest2d", (), {"size": (5, 3)}, inputs=[x4])
    G.layer("UpsamplingBilinear2d/scale", "UpsamplingBilinear2d", (), {"scale_factor": 2}, inputs=[x4])
    G.layer("PixelShuffle/r2", "PixelShuffle", (2,), inputs=[R(1, 8, 2, 3)])
    G.layer("PixelUnshuffle/r2", "PixelUnshuffle", (2,), inputs=[R(1, 2, 4, 6)])
    G.layer("InstanceNorm1d/plain", "InstanceNorm1d", (3,), inputs=[x3])
    G.layer("InstanceNorm1d/unbatched_affine", "InstanceNorm1d", (3,), {"affine": True}, inputs=[R(3, 6)])
    G.layer("InstanceNorm1d/track", "InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True, "momentum": 0.3}, inputs=[x3], modes=TM)
    G.layer("InstanceNorm2d/affine", "InstanceNorm2d", (3,), {"affine": True, "eps": 1e-3}, inputs=[x4], modes=TM)
    G.layer("InstanceNorm2d/track", "InstanceNorm2d", (3,), {"track_running_stats": True}, inputs=[x4], modes=TM)
    G.layer("AdaptiveMaxPool2d/tuple", "AdaptiveMaxPool2d", ((3, 2),), inputs=[x4])
    G.layer("AdaptiveMaxPool2d/none_indices", "AdaptiveMaxPool2d", ((None, 3),), {"return_indices": True}, inputs=[x4])
    G.layer("AdaptiveMaxPool1d/indices", "AdaptiveMaxPool1d", (4,), {"return_indices": True}, inputs=[x3])
    G.layer("ZeroPad2d/int", "ZeroPad2d", (1,), inputs=[x4])
    G.layer("ZeroPad2d/tuple", "ZeroPad2d", ((1, 2, 0, 3),), inputs=[x4])
    G.layer("ConstantPad1d/value", "ConstantPad1d", ((2, 1), 3.5), inputs=[x3])
    G.layer("ConstantPad2d/value", "ConstantPad2d", ((1, 0, 2, 0), -1.5), inputs=[x4])
    G.layer("ReflectionPad1d/tuple", "ReflectionPad1d", ((3, 1),), inputs=[x3])
    G.layer("ReflectionPad2d/int", "ReflectionPad2d", (2,), inputs=[x4])
    G.layer("ReflectionPad2d/unbatched", "ReflectionPad2d", ((1, 3, 2, 0),), inputs=[R(3, 4, 5)])
    G.layer("ReplicationPad1d/int", "ReplicationPad1d", (2,), inputs=[x3])
    G.layer("ReplicationPad2d/tuple", "ReplicationPad2d", ((2, 0, 1, 3),), inputs=[x4])


def main():
    gen_layers()
    gen_funcs()
    gen_errors()
    total = G.write("nn_vision.json", {"cases": G.LAYERS, "funcs": FUNCS, "errors": ERRORS})
    print("%d layer cases, %d function cases, %d errors; %d bytes" % (len(G.LAYERS), len(FUNCS), len(ERRORS), total))


if __name__ == "__main__":
    main()
