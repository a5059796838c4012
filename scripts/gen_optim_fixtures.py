#!/usr/bin/env python3
"""Generates test/fixtures/optim.json: reference numbers for torch.optim, torch.optim.lr_scheduler and
torch.nn.utils' clipping, computed with PyTorch (deterministic; run with /usr/bin/python3).

Where the installed PyTorch (1.13) predates an option or a fix, the reference comes from a transcription of the
current PyTorch update rule in this script, and the transcription is first checked against the installed PyTorch
on the options both share:
  - NAdam: 1.13 computes mu_product_next as mu_product * mu * mu_next (fixed since 2.0: mu_product * mu_next);
    1.13 has no `maximize` nor `decoupled_weight_decay`.
  - RAdam: 1.13 has no `maximize` nor `decoupled_weight_decay`.
  - Adam's `decoupled_weight_decay` (PyTorch >= 2.6) is AdamW; the reference runs AdamW.
  - OneCycleLR's error past total_steps: current PyTorch reports step_num (1.13 reported step_num + 1).
"""
import json
import math
import os
import re

import torch

torch.set_printoptions(precision=10)
torch.set_num_threads(1)  # reductions in a fixed order: the same bytes on every run
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'optim.json')


def snake(name):
    return re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), name)


def camel(name):
    parts = name.split('_')
    return parts[0] + ''.join(p[:1].upper() + p[1:] for p in parts[1:])


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def kw(d):
    out = {}
    for k, v in d.items():
        out[snake(k)] = tuple(v) if isinstance(v, list) else v
    return out


# ---------------------------------------------------------------------------------------------------------------
# Optimizers: a small two-layer model with two parameter groups (and a frozen parameter), 50 steps.

STEPS = 50
torch.manual_seed(0)
MODEL_INIT = {
    'x': torch.randn(6, 5),
    'y': torch.randn(6, 3),
    'w1': torch.randn(4, 5) * 0.5,
    'b1': torch.randn(4) * 0.1,
    'w2': torch.randn(3, 4) * 0.5,
    'b2': torch.randn(3) * 0.1,
    'frozen': torch.randn(2),
}
PARAM_NAMES = ['w1', 'b1', 'frozen', 'w2', 'b2']  # group 0: w1, b1, frozen; group 1: w2, b2


def make_model(dtype):
    t = {k: v.clone().to(dtype) for k, v in MODEL_INIT.items()}
    for k in ['w1', 'b1', 'w2', 'b2']:
        t[k].requires_grad_(True)
    return t


def loss_fn(m):
    h = torch.tanh(m['x'] @ m['w1'].t() + m['b1'])
    out = h @ m['w2'].t() + m['b2']
    return ((out - m['y']) ** 2).mean()


def groups_for(m, cfg):
    g0 = {'params': [m['w1'], m['b1'], m['frozen']], **kw(cfg['groups'][0])}
    g1 = {'params': [m['w2'], m['b2']], **kw(cfg['groups'][1])}
    return [g0, g1]


class RefOptimizer(torch.optim.Optimizer):
    """Transcriptions of current PyTorch's single-tensor NAdam / RAdam (see the module docstring)."""

    def __init__(self, params, algo, legacy=False, **defaults):
        self.algo = algo
        self.legacy = legacy
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr = group['lr']
            b1, b2 = group['betas']
            eps, wd = group['eps'], group['weight_decay']
            decoupled = group.get('decoupled_weight_decay', False)
            maximize = group.get('maximize', False)
            for p in group['params']:
                if p.grad is None:
                    continue
                g = p.grad if not maximize else -p.grad
                st = self.state[p]
                if len(st) == 0:
                    st['step'] = torch.tensor(0.)
                    if self.algo == 'nadam':
                        st['mu_product'] = torch.tensor(1.)
                    st['exp_avg'] = torch.zeros_like(p)
                    st['exp_avg_sq'] = torch.zeros_like(p)
                st['step'] += 1
                step = st['step'].item()
                if wd != 0:
                    if decoupled:
                        p.mul_(1 - lr * wd)
                    else:
                        g = g.add(p, alpha=wd)
                if self.algo == 'nadam':
                    md = group['momentum_decay']
                    bc2 = 1 - b2 ** step
                    mu = b1 * (1. - 0.5 * (0.96 ** (step * md)))
                    mu_next = b1 * (1. - 0.5 * (0.96 ** ((step + 1) * md)))
                    st['mu_product'] *= mu
                    st['exp_avg'].mul_(b1).add_(g, alpha=1 - b1)
                    st['exp_avg_sq'].mul_(b2).addcmul_(g, g, value=1 - b2)
                    denom = st['exp_avg_sq'].div(bc2).sqrt().add_(eps)
                    mp = st['mu_product'].item()
                    mp_next = (st['mu_product'] * mu * mu_next).item() if self.legacy else mp * mu_next
                    p.addcdiv_(g, denom, value=-lr * (1. - mu) / (1. - mp))
                    p.addcdiv_(st['exp_avg'], denom, value=(-lr * mu_next) / (1. - mp_next))
                else:
                    st['exp_avg'].mul_(b1).add_(g, alpha=1 - b1)
                    st['exp_avg_sq'].mul_(b2).addcmul_(g, g, value=1 - b2)
                    bc1 = 1 - b1 ** step
                    bc2 = 1 - b2 ** step
                    bias_corrected = st['exp_avg'] / bc1
                    rho_inf = 2 / (1 - b2) - 1
                    rho_t = rho_inf - 2 * step * (b2 ** step) / bc2
                    if rho_t > 5.:
                        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                        adaptive = math.sqrt(bc2) / st['exp_avg_sq'].sqrt().add_(eps)
                        p.add_(bias_corrected * lr * adaptive * rect, alpha=-1.0)
                    else:
                        p.add_(bias_corrected * lr, alpha=-1.0)


NADAM_DEFAULTS = dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                      decoupled_weight_decay=False, maximize=False)
RADAM_DEFAULTS = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False, maximize=False)


def build(cfg, m):
    groups = groups_for(m, cfg)
    d = kw(cfg['defaults'])
    ref = cfg.get('ref', 'torch')
    cls = cfg['cls']
    if ref == 'nadam':
        return RefOptimizer(groups, 'nadam', legacy=cfg.get('legacy', False), **{**NADAM_DEFAULTS, **d})
    if ref == 'radam':
        return RefOptimizer(groups, 'radam', **{**RADAM_DEFAULTS, **d})
    if cls == 'Adam' and d.pop('decoupled_weight_decay', False):
        d.setdefault('weight_decay', 0)
        return torch.optim.AdamW(groups, **d)
    return getattr(torch.optim, cls)(groups, **d)


def run(cfg):
    dtype = torch.float64 if cfg['dtype'] == 'float64' else torch.float32
    m = make_model(dtype)
    opt = build(cfg, m)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(m)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    params = [flat(m[k]) for k in PARAM_NAMES]
    state = {}
    for i, k in enumerate(PARAM_NAMES):
        st = opt.state.get(m[k], {})
        entry = {}
        for sk, sv in st.items():
            if sv is None:
                continue
            entry[camel(sk)] = float(sv) if not isinstance(sv, torch.Tensor) or sv.dim() == 0 else flat(sv)
        if entry:
            state[str(i)] = entry
    return {'losses': losses, 'params': params, 'state': state}


G = lambda lr0, lr1, wd1, **extra1: [{'lr': lr0}, {'lr': lr1, 'weightDecay': wd1, **extra1}]

OPT_CONFIGS = [
    ('SGD', 'sgd', {'lr': 0.1}, G(0.1, 0.05, 0.01)),
    ('SGD', 'sgd-momentum', {'lr': 0.1, 'momentum': 0.9}, G(0.1, 0.05, 0.01)),
    ('SGD', 'sgd-dampening', {'lr': 0.1, 'momentum': 0.8, 'dampening': 0.3, 'weightDecay': 0.02}, G(0.08, 0.04, 0.01)),
    ('SGD', 'sgd-nesterov', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True}, G(0.1, 0.05, 0.01)),
    ('SGD', 'sgd-maximize', {'lr': 0.01, 'momentum': 0.5, 'maximize': True}, G(0.01, 0.005, 0.01)),
    ('Adam', 'adam', {'lr': 0.01}, G(0.01, 0.02, 0.05)),
    ('Adam', 'adam-amsgrad', {'lr': 0.01, 'amsgrad': True}, G(0.01, 0.02, 0.05)),
    ('Adam', 'adam-maximize', {'lr': 0.01, 'maximize': True, 'betas': [0.8, 0.99], 'eps': 1e-6}, G(0.01, 0.005, 0.05)),
    ('Adam', 'adam-decoupled', {'lr': 0.01, 'decoupledWeightDecay': True, 'weightDecay': 0.1}, G(0.01, 0.02, 0.3)),
    ('AdamW', 'adamw', {'lr': 0.01}, G(0.01, 0.02, 0.1)),
    ('AdamW', 'adamw-amsgrad-maximize', {'lr': 0.01, 'amsgrad': True, 'maximize': True}, G(0.01, 0.002, 0.1)),
    ('RMSprop', 'rmsprop', {'lr': 0.01}, G(0.01, 0.005, 0.05)),
    ('RMSprop', 'rmsprop-centered', {'lr': 0.01, 'centered': True}, G(0.01, 0.005, 0.05)),
    ('RMSprop', 'rmsprop-momentum', {'lr': 0.005, 'momentum': 0.9, 'alpha': 0.9}, G(0.005, 0.002, 0.05)),
    ('RMSprop', 'rmsprop-centered-momentum-maximize', {'lr': 0.002, 'momentum': 0.5, 'centered': True, 'maximize': True},
     G(0.002, 0.001, 0.05)),
    ('Adagrad', 'adagrad', {'lr': 0.1}, G(0.1, 0.05, 0.01)),
    ('Adagrad', 'adagrad-decay-init', {'lr': 0.1, 'lrDecay': 0.05, 'initialAccumulatorValue': 0.1, 'eps': 1e-8},
     G(0.1, 0.05, 0.01)),
    ('Adagrad', 'adagrad-maximize', {'lr': 0.05, 'maximize': True}, G(0.05, 0.01, 0.01)),
    ('Adadelta', 'adadelta', {}, G(1.0, 0.5, 0.01)),
    ('Adadelta', 'adadelta-rho-maximize', {'rho': 0.8, 'eps': 1e-5, 'maximize': True}, G(0.5, 0.2, 0.01)),
    ('Adamax', 'adamax', {'lr': 0.01}, G(0.01, 0.02, 0.05)),
    ('Adamax', 'adamax-maximize', {'lr': 0.01, 'betas': [0.85, 0.99], 'maximize': True}, G(0.01, 0.005, 0.05)),
    ('NAdam', 'nadam', {'lr': 0.01}, G(0.01, 0.02, 0.05)),
    ('NAdam', 'nadam-momentum-decay', {'lr': 0.01, 'momentumDecay': 0.01, 'betas': [0.85, 0.995]}, G(0.01, 0.02, 0.05)),
    ('NAdam', 'nadam-decoupled-maximize', {'lr': 0.01, 'decoupledWeightDecay': True, 'maximize': True, 'weightDecay': 0.1},
     G(0.01, 0.005, 0.2)),
    ('RAdam', 'radam', {'lr': 0.01}, G(0.01, 0.02, 0.05)),
    ('RAdam', 'radam-decoupled', {'lr': 0.01, 'decoupledWeightDecay': True}, G(0.01, 0.02, 0.2)),
    ('RAdam', 'radam-maximize', {'lr': 0.01, 'maximize': True, 'betas': [0.8, 0.99]}, G(0.01, 0.005, 0.05)),
]
FLOAT32_RUNS = {'sgd-momentum', 'adam', 'rmsprop-centered'}


def validate_transcriptions():
    """The script's NAdam/RAdam transcriptions must reproduce the installed PyTorch on the options both have."""
    for algo, cls, defaults in [('nadam', 'NAdam', {'lr': 0.01}), ('nadam', 'NAdam', {'lr': 0.01, 'momentumDecay': 0.01}),
                                ('radam', 'RAdam', {'lr': 0.01}), ('radam', 'RAdam', {'lr': 0.01, 'betas': [0.8, 0.99]})]:
        base = {'cls': cls, 'defaults': defaults, 'groups': G(0.01, 0.02, 0.05), 'dtype': 'float64'}
        a = run(base)
        b = run({**base, 'ref': algo, 'legacy': algo == 'nadam'})
        for pa, pb in zip(a['params'], b['params']):
            assert pa == pb, f'{cls} transcription differs from torch {torch.__version__}'


def optimizer_fixtures():
    validate_transcriptions()
    out = []
    for cls, name, defaults, groups in OPT_CONFIGS:
        ref = 'nadam' if cls == 'NAdam' else 'radam' if cls == 'RAdam' else 'torch'
        if cls == 'RAdam' and not defaults.get('decoupledWeightDecay') and not defaults.get('maximize'):
            ref = 'torch'
        for dtype in (['float64', 'float32'] if name in FLOAT32_RUNS else ['float64']):
            cfg = {'name': name, 'cls': cls, 'defaults': defaults, 'groups': groups, 'dtype': dtype, 'ref': ref}
            res = run(cfg)
            out.append({**{k: v for k, v in cfg.items() if k != 'ref'}, **res})
    model = {k: {'shape': list(v.shape), 'data': flat(v)} for k, v in MODEL_INIT.items()}
    return {'steps': STEPS, 'paramNames': PARAM_NAMES, 'model': model, 'runs': out}


# ---------------------------------------------------------------------------------------------------------------
# LR schedulers: two groups (lr 0.1 and 0.05), 100 steps, lrs (and cycled momentum/beta1) after every step.

import torch.optim.lr_scheduler as L

LAMBDAS = {
    'lambda': [lambda e: 0.95 ** e, lambda e: 1.0 / (1 + e // 10)],
    'multiplicative': [lambda e: 0.97, lambda e: 0.9 if e % 10 == 0 else 1.0],
    'cyclic-custom': lambda x: 1 / (1 + 0.1 * x),
}


def sched_optimizer(kind='sgd'):
    a = torch.zeros(3, requires_grad=True)
    b = torch.zeros(2, requires_grad=True)
    if kind == 'adam':
        return torch.optim.Adam([{'params': [a]}, {'params': [b], 'lr': 0.05}], lr=0.1)
    return torch.optim.SGD([{'params': [a]}, {'params': [b], 'lr': 0.05}], lr=0.1, momentum=0.9)


METRICS = [round(max(0.2, 1.0 - 0.04 * t) + 0.03 * ((t * 7) % 5) / 5 + (0.05 if t in (40, 41, 70) else 0), 6) for t in range(100)]


def sched_configs():
    c = []
    c.append(('LambdaLR', 'lambda', lambda o: L.LambdaLR(o, LAMBDAS['lambda']), {}))
    c.append(('MultiplicativeLR', 'multiplicative', lambda o: L.MultiplicativeLR(o, LAMBDAS['multiplicative']), {}))
    c.append(('StepLR', 'step', lambda o: L.StepLR(o, 7, gamma=0.5), {'stepSize': 7, 'gamma': 0.5}))
    c.append(('MultiStepLR', 'multistep', lambda o: L.MultiStepLR(o, [10, 30, 30, 70], gamma=0.3),
              {'milestones': [10, 30, 30, 70], 'gamma': 0.3}))
    c.append(('ConstantLR', 'constant', lambda o: L.ConstantLR(o, factor=0.25, total_iters=15), {'factor': 0.25, 'totalIters': 15}))
    c.append(('LinearLR', 'linear', lambda o: L.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=30),
              {'startFactor': 0.2, 'endFactor': 0.9, 'totalIters': 30}))
    c.append(('ExponentialLR', 'exponential', lambda o: L.ExponentialLR(o, 0.97), {'gamma': 0.97}))
    c.append(('PolynomialLR', 'polynomial', lambda o: L.PolynomialLR(o, total_iters=60, power=2.0), {'totalIters': 60, 'power': 2.0}))
    c.append(('CosineAnnealingLR', 'cosine', lambda o: L.CosineAnnealingLR(o, 30, eta_min=0.001), {'tMax': 30, 'etaMin': 0.001}))
    c.append(('CosineAnnealingWarmRestarts', 'warm-restarts', lambda o: L.CosineAnnealingWarmRestarts(o, 10, T_mult=2, eta_min=0.0005),
              {'t0': 10, 'tMult': 2, 'etaMin': 0.0005}))
    c.append(('CosineAnnealingWarmRestarts', 'warm-restarts-fractional',
              lambda o: L.CosineAnnealingWarmRestarts(o, 3, T_mult=2, eta_min=0.001), {'t0': 3, 'tMult': 2, 'etaMin': 0.001}))
    c.append(('CosineAnnealingWarmRestarts', 'warm-restarts-fractional-tmult1',
              lambda o: L.CosineAnnealingWarmRestarts(o, 4), {'t0': 4}))
    cyc = dict(base_lr=[0.01, 0.005], max_lr=[0.1, 0.05], base_momentum=[0.8, 0.85], max_momentum=[0.9, 0.95])
    cyc_ts = {'baseLr': [0.01, 0.005], 'maxLr': [0.1, 0.05], 'baseMomentum': [0.8, 0.85], 'maxMomentum': [0.9, 0.95]}
    c.append(('CyclicLR', 'cyclic-triangular', lambda o: L.CyclicLR(o, step_size_up=10, step_size_down=15, **cyc),
              {**cyc_ts, 'stepSizeUp': 10, 'stepSizeDown': 15}))
    c.append(('CyclicLR', 'cyclic-triangular2', lambda o: L.CyclicLR(o, step_size_up=8, mode='triangular2', **cyc),
              {**cyc_ts, 'stepSizeUp': 8, 'mode': 'triangular2'}))
    c.append(('CyclicLR', 'cyclic-exp-range', lambda o: L.CyclicLR(o, step_size_up=12, mode='exp_range', gamma=0.97, **cyc),
              {**cyc_ts, 'stepSizeUp': 12, 'mode': 'exp_range', 'gamma': 0.97}))
    c.append(('CyclicLR', 'cyclic-custom', lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5, scale_fn=LAMBDAS['cyclic-custom'],
                                                                  scale_mode='iterations', cycle_momentum=False),
              {'baseLr': 0.01, 'maxLr': 0.1, 'stepSizeUp': 5, 'scaleMode': 'iterations', 'cycleMomentum': False}))
    oc = {'maxLr': [0.1, 0.05], 'totalSteps': 100}
    c.append(('OneCycleLR', 'onecycle-cos', lambda o: L.OneCycleLR(o, [0.1, 0.05], total_steps=100), oc))
    c.append(('OneCycleLR', 'onecycle-linear', lambda o: L.OneCycleLR(o, [0.1, 0.05], total_steps=100, anneal_strategy='linear',
                                                                       pct_start=0.25, div_factor=10.0, final_div_factor=100.0),
              {**oc, 'annealStrategy': 'linear', 'pctStart': 0.25, 'divFactor': 10.0, 'finalDivFactor': 100.0}))
    c.append(('OneCycleLR', 'onecycle-three-phase', lambda o: L.OneCycleLR(o, 0.1, epochs=10, steps_per_epoch=10, three_phase=True,
                                                                            base_momentum=0.8, max_momentum=0.9),
              {'maxLr': 0.1, 'epochs': 10, 'stepsPerEpoch': 10, 'threePhase': True, 'baseMomentum': 0.8, 'maxMomentum': 0.9}))
    c.append(('OneCycleLR', 'onecycle-adam-beta1', lambda o: L.OneCycleLR(o, 0.1, total_steps=100), {'maxLr': 0.1, 'totalSteps': 100, 'optimizer': 'adam'}))
    c.append(('ReduceLROnPlateau', 'plateau-min-rel', lambda o: L.ReduceLROnPlateau(o, patience=3, cooldown=2, factor=0.5, min_lr=[0.01, 0.001]),
              {'patience': 3, 'cooldown': 2, 'factor': 0.5, 'minLr': [0.01, 0.001]}))
    c.append(('ReduceLROnPlateau', 'plateau-max-abs', lambda o: L.ReduceLROnPlateau(o, mode='max', threshold_mode='abs', threshold=0.01, patience=2),
              {'mode': 'max', 'thresholdMode': 'abs', 'threshold': 0.01, 'patience': 2, 'negate': True}))
    c.append(('ReduceLROnPlateau', 'plateau-eps', lambda o: L.ReduceLROnPlateau(o, patience=1, factor=0.5, eps=0.02),
              {'patience': 1, 'factor': 0.5, 'eps': 0.02}))
    c.append(('SequentialLR', 'sequential', lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
                                                                          L.ExponentialLR(o, 0.95), L.StepLR(o, 10, 0.5)], [5, 40]),
              {'milestones': [5, 40]}))
    c.append(('SequentialLR', 'sequential-warmup-cosine', lambda o: L.SequentialLR(o, [L.ConstantLR(o, factor=0.5, total_iters=4),
                                                                                        L.CosineAnnealingLR(o, 90, eta_min=0.001)], [10]),
              {'milestones': [10]}))
    c.append(('ChainedScheduler', 'chained', lambda o: L.ChainedScheduler([L.ConstantLR(o, factor=0.1, total_iters=2), L.ExponentialLR(o, 0.9)]), {}))
    c.append(('ChainedScheduler', 'chained-step-multistep', lambda o: L.ChainedScheduler([L.StepLR(o, 10, 0.8), L.MultiStepLR(o, [25, 50], 0.5),
                                                                                          L.LinearLR(o, 0.5, 1.0, 20)]), {}))
    return c


def scheduler_fixtures():
    out = []
    for cls, name, make, args in sched_configs():
        opt = sched_optimizer(args.get('optimizer', 'sgd'))
        sched = make(opt)
        lrs = [[g['lr'] for g in opt.param_groups]]
        mom_key = 'betas' if args.get('optimizer') == 'adam' else 'momentum'
        mom = lambda: [(g['betas'][0] if mom_key == 'betas' else g['momentum']) for g in opt.param_groups]
        moms = [mom()]
        for t in range(100):
            opt.step()
            if cls == 'ReduceLROnPlateau':
                sched.step(-METRICS[t] if args.get('negate') else METRICS[t])
            elif name.startswith('warm-restarts-fractional'):
                sched.step((t // 5) + (t % 5) / 5)
            else:
                sched.step()
            lrs.append([g['lr'] for g in opt.param_groups])
            moms.append(mom())
        entry = {'name': name, 'cls': cls, 'args': args, 'lrs': lrs}
        if cls in ('CyclicLR', 'OneCycleLR') and args.get('cycleMomentum', True):
            entry['momentum'] = moms
        out.append(entry)
    # step(epoch): the deprecated closed form
    opt = sched_optimizer()
    s = L.StepLR(opt, 3, gamma=0.5)
    epochs = [4, 7, 7, 1, 12, 0]
    closed = []
    for e in epochs:
        opt.step()
        s.step(e)
        closed.append([g['lr'] for g in opt.param_groups])
    return {'metrics': METRICS, 'runs': out, 'closedForm': {'cls': 'StepLR', 'args': {'stepSize': 3, 'gamma': 0.5}, 'epochs': epochs, 'lrs': closed}}


# ---------------------------------------------------------------------------------------------------------------
# Gradient clipping

def clip_fixtures():
    torch.manual_seed(1)
    shapes = [[3, 4], [5], [2, 2, 2]]
    base = [torch.randn(*s) * sc for s, sc in zip(shapes, [1.0, 3.0, 0.5])]
    out = []
    for dtype in ['float32', 'float64']:
        dt = torch.float32 if dtype == 'float32' else torch.float64
        for norm_type in [1.0, 2.0, 3.5, 'inf', 0.5]:
            for max_norm in [0.5, 1000.0]:
                ps = [torch.zeros(*s, dtype=dt, requires_grad=True) for s in shapes]
                frozen = torch.zeros(4, dtype=dt, requires_grad=True)  # grad stays None
                for p, g in zip(ps, base):
                    p.grad = g.clone().to(dt)
                nt = float('inf') if norm_type == 'inf' else norm_type
                total = torch.nn.utils.clip_grad_norm_(ps[:1] + [frozen] + ps[1:], max_norm, norm_type=nt)
                out.append({'dtype': dtype, 'normType': norm_type, 'maxNorm': max_norm, 'total': float(total),
                            'totalDtype': str(total.dtype).replace('torch.', ''), 'clipped': [flat(p.grad) for p in ps]})
    value = []
    for cv in [0.3, 1.5]:
        ps = [torch.zeros(*s, requires_grad=True) for s in shapes]
        for p, g in zip(ps, base):
            p.grad = g.clone()
        torch.nn.utils.clip_grad_value_(ps, cv)
        value.append({'clipValue': cv, 'clipped': [flat(p.grad) for p in ps]})
    return {'shapes': shapes, 'grads': [flat(g) for g in base], 'norm': out, 'value': value}


def main():
    data = {
        'torch': torch.__version__,
        'optimizers': optimizer_fixtures(),
        'schedulers': scheduler_fixtures(),
        'clip': clip_fixtures(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(data, f, separators=(',', ':'))
    print(f'wrote {OUT} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
