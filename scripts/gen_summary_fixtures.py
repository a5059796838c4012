#!/usr/bin/python3
"""Reference numbers for torch.summary (test/fixtures/summary/pytorch.json), computed with PyTorch.

Run with the PyTorch 1.13 interpreter: `/usr/bin/python3 scripts/gen_summary_fixtures.py`.

torchinfo is not installed here, so this script reproduces torchinfo 1.8's bookkeeping with forward pre-hooks and
forward hooks on the PyTorch twins of the test models (the same layer classes, sizes and call order as in
test/summary.test.ts): the call order of the layers, depth and depth index, the input and output shape each layer
saw, its parameter count (all parameters under it, `named_parameters()`), how many require grad, torchinfo's
mult-adds rule (Linear/Conv/... include the bias; Conv multiplies by every output position except the channel; other
layers multiply by the batch only), which modules are leaves, which calls are repeats (`recursive`), and the
containers torchinfo inserts for modules that were never called themselves (ModuleList). Totals follow torchlet's
rules: parameters counted once even when shared (`model.parameters()`), mult-adds summed over leaf-layer calls,
forward/backward bytes = 2 x the output bytes of leaf calls that have parameters, parameter bytes of each
parameter once, input bytes of the inputs.

Batch convention (as torchlet's summary when no batch size is given): the forward pass runs with batch 2, shapes
whose first dimension equals the batch are reported with -1 there, and every count (mult-adds, bytes) is per
sample (the -1 counts as 1). A case with `batch_size` set reports the real batch instead.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'summary', 'pytorch.json')


# ---- the models (twins of test/summary.test.ts) --------------------------------------------------------------------

class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = self.flatten(x)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class VGGish(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
                          nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2)),
            nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2)),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(32 * 8 * 8, 64), nn.ReLU(),
                                        nn.Dropout(0.5), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class TiedLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.proj = nn.Linear(16, 16)
        self.decoder = nn.Linear(16, 50)
        self.decoder.weight = self.embed.weight

    def forward(self, tokens):
        h = self.embed(tokens)
        h = torch.tanh(self.proj(h))
        h = torch.tanh(self.proj(h))
        return self.decoder(h)


class TwoInputNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc_a = nn.Linear(8, 16)
        self.fc_b = nn.Linear(4, 16)
        self.head = nn.Linear(32, 3)

    def forward(self, a, b):
        h = torch.cat([F.relu(self.fc_a(a)), F.relu(self.fc_b(b))], 1)
        return self.head(h), h


class TinyTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(100, 32)
        layer = nn.TransformerEncoderLayer(32, 4, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(32, 5)

    def forward(self, tokens):
        h = self.encoder(self.embed(tokens))
        return self.head(h.mean(1))


# ---- torchinfo 1.8's bookkeeping ------------------------------------------------------------------------------------

class Info:
    def __init__(self, var_name, name, module, depth, parent):
        self.var_name, self.name, self.module, self.depth, self.parent = var_name, name, module, depth, parent
        self.type = module.__class__.__name__
        self.is_leaf = not any(True for _ in module.children())
        self.recursive = False
        self.executed = False
        self.input_shape, self.output_shape = [], []
        self.out_elem = 0
        self.macs = 0
        self.index = None
        self.children = []
        self.num_params = 0
        self.trainable_params = 0
        for _, p in module.named_parameters():
            self.num_params += p.numel()
            if p.requires_grad:
                self.trainable_params += p.numel()


def first_tensor(x):
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, dict):
        return first_tensor(list(x.values())[-1]) if x else None
    if isinstance(x, (list, tuple)) and x:
        return first_tensor(x[0])
    return None


def shape_of(x, batch, show_batch):
    t = first_tensor(x)
    if t is None:
        return [], [], 0
    real = list(t.shape)
    shown = list(real)
    if show_batch is None and len(real) > 0 and real[0] == batch:
        shown[0] = -1
    eff = [1 if d == -1 else d for d in shown]
    return shown, eff, t.element_size()


def prod(xs):
    r = 1
    for x in xs:
        r *= x
    return r


def macs_of(info, eff_out):
    macs = 0
    for name, p in info.module.named_parameters():
        n = p.numel()
        if name in ('weight', 'bias'):
            if 'Conv' in info.type:
                macs += n * prod(eff_out[:1] + eff_out[2:])
            else:
                macs += eff_out[0] * n
        elif 'weight' in name or 'bias' in name:
            macs += prod(eff_out[:2]) * n
    return macs


def run(model, inputs, batch, show_batch, mode='same'):
    summary = []
    layer_ids = set()
    current = {}
    fallback = {}
    handles = []

    def visit(name, var_name, module, depth, parent):
        info = Info(var_name, name, module, depth, parent)
        fallback[id(module)] = info

        def pre_hook(mod, args):
            i = Info(var_name, name, mod, depth, parent)
            if id(mod) in layer_ids:
                i.recursive = True
            summary.append(i)
            layer_ids.add(id(mod))
            current[id(mod)] = i

        def hook(mod, args, out):
            i = current[id(mod)]
            i.input_shape, _, _ = shape_of(args, batch, show_batch)
            i.output_shape, eff, elem = shape_of(out, batch, show_batch)
            i.out_elem = elem * prod(eff) if i.output_shape else 0
            i.executed = True
            i.macs = macs_of(i, eff) if i.output_shape else 0

        handles.append(module.register_forward_pre_hook(pre_hook))
        handles.append(module.register_forward_hook(hook))
        for cname, child in module._modules.items():
            if child is not None:
                visit(cname if name == '' else f'{name}.{cname}', cname, child, depth + 1, info)

    visit('', model.__class__.__name__, model, 0, None)
    saved = model.training
    if mode == 'train':
        model.train()
    elif mode == 'eval':
        model.eval()
    with torch.no_grad():
        model(*inputs)
    model.train(saved)
    for h in handles:
        h.remove()

    # add_missing_container_layers
    ids = {id(l.module) for l in summary}
    hier_now = {}
    i = 0
    while i < len(summary):
        layer = summary[i]
        chain = {}
        p = layer.parent
        while p is not None and p.depth > 0:
            chain[p.depth] = p
            p = p.parent
        rel = 0
        for d in range(1, layer.depth):
            if (d not in hier_now or hier_now[d].module is not chain[d].module) and chain[d] is not summary[i + rel - 1]:
                c = chain[d]
                if id(c.module) in ids:
                    c.recursive = True
                summary.insert(i + rel, c)
                ids.add(id(c.module))
                hier_now[d] = c
                rel += 1
        hier_now[layer.depth] = layer
        i += rel + 1

    # set_children_layers
    idx = {}
    for k, layer in enumerate(summary):
        idx[layer.depth] = idx.get(layer.depth, 0) + 1
        layer.index = idx[layer.depth]
        kids = []
        for other in summary[k + 1:]:
            if other.depth <= layer.depth:
                break
            kids.append(other)
        layer.children = kids
    return summary


def case(name, model, sizes, dtypes=None, batch_size=None, mode='same'):
    dtypes = dtypes or [torch.float32] * len(sizes)
    batch = batch_size if batch_size is not None else 2
    inputs = [torch.rand(batch, *s).to(d) for s, d in zip(sizes, dtypes)]
    buffers_before = {k: v.clone() for k, v in model.state_dict().items()}
    summary = run(model, inputs, batch, batch_size, mode)
    # BatchNorm's running stats move in a training-mode forward; torchlet's summary restores them, so the reference
    # model is put back as well (the fixture compares the state before and after on the torchlet side).
    model.load_state_dict(buffers_before)
    layers = []
    for l in summary:
        multadds = l.macs if l.is_leaf else sum(c.macs for c in l.children if c.is_leaf)
        layers.append({
            'name': l.name, 'varName': l.var_name, 'type': l.type, 'depth': l.depth, 'index': l.index,
            'inputShape': l.input_shape, 'outputShape': l.output_shape, 'numParams': l.num_params,
            'trainableParams': l.trainable_params, 'multAdds': multadds, 'isLeaf': l.is_leaf,
            'isRecursive': l.recursive, 'executed': l.executed,
        })
    params = list(model.parameters())  # each parameter once
    per_sample = batch_size is None
    in_bytes = sum(t.element_size() * (t.numel() // batch if per_sample else t.numel()) for t in inputs)
    fwd_bwd = sum(2 * l.out_elem for l in summary if l.is_leaf and l.num_params > 0)
    totals = {
        'totalParams': sum(p.numel() for p in params),
        'trainableParams': sum(p.numel() for p in params if p.requires_grad),
        'totalMultAdds': sum(l.macs for l in summary if l.is_leaf),
        'inputBytes': in_bytes,
        'forwardBackwardBytes': fwd_bwd,
        'paramsBytes': sum(p.numel() * p.element_size() for p in params),
    }
    totals['nonTrainableParams'] = totals['totalParams'] - totals['trainableParams']
    totals['totalBytes'] = totals['inputBytes'] + totals['forwardBackwardBytes'] + totals['paramsBytes']
    return {'name': name, 'inputSize': sizes, 'batchSize': batch_size, 'layers': layers, 'totals': totals}


def main():
    torch.manual_seed(0)
    cases = []
    cases.append(case('lenet', LeNet5(), [[1, 28, 28]]))
    cases.append(case('lenet_batch4', LeNet5(), [[1, 28, 28]], batch_size=4))
    cases.append(case('vgg', VGGish(), [[3, 32, 32]]))
    frozen = VGGish()
    frozen.features[0].requires_grad_(False)
    frozen.classifier[5].bias.requires_grad_(False)
    cases.append(case('vgg_frozen', frozen, [[3, 32, 32]]))
    cases.append(case('tied', TiedLM(), [[6]], dtypes=[torch.int64]))
    cases.append(case('two_input', TwoInputNet(), [[8], [4]]))
    cases.append(case('transformer', TinyTransformer(), [[12]], dtypes=[torch.int64]))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases}, f, indent=1)
    print('wrote', OUT, [c['name'] for c in cases])


if __name__ == '__main__':
    main()
