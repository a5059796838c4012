#!/usr/bin/env python3
"""Generates test/fixtures/autograd_ext.json: reference numbers (PyTorch, deterministic; run with /usr/bin/python3) for
  - the optimizers LBFGS (fixed step and strong-Wolfe), Rprop and ASGD: parameter trajectories over several steps and
    the final state;
  - double backward: a WGAN-GP critic step (gradient penalty through autograd.grad(create_graph=True)) for several
    activations, a conv critic, second derivatives of losses (MSE, cross entropy, softmax), and
    torch.autograd.functional (jacobian, hessian, vjp, jvp, hvp);
  - the tutorials' LegendrePolynomial3 (polynomial_custom_function.py), in float64, fewer steps.
Inputs are written to the fixture, so the tests need no random generator agreement.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'autograd_ext.json')
D = torch.float64


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tj(t):
    return {'shape': list(t.shape), 'data': flat(t)}


fx = {}

# ---------------------------------------------------------------------------------------------------------------
# Optimizers: a two-layer tanh regression; each step recomputes the loss.

X = torch.randn(8, 3, dtype=D)
Y = torch.randn(8, 2, dtype=D)
W1 = torch.randn(4, 3, dtype=D) * 0.5
B1 = torch.randn(4, dtype=D) * 0.1
W2 = torch.randn(2, 4, dtype=D) * 0.5
fx['optim_model'] = {'x': tj(X), 'y': tj(Y), 'w1': tj(W1), 'b1': tj(B1), 'w2': tj(W2)}


def model(dtype):
    ps = [t.clone().to(dtype).requires_grad_(True) for t in (W1, B1, W2)]
    return ps


def loss_of(ps, dtype):
    w1, b1, w2 = ps
    h = torch.tanh(X.to(dtype) @ w1.t() + b1)
    return ((h @ w2.t() - Y.to(dtype)) ** 2).mean()


OPT_CASES = [
    ('Rprop', {}, 15),
    ('Rprop', {'lr': 0.05, 'etas': (0.3, 1.5), 'step_sizes': (1e-3, 0.2)}, 15),
    ('Rprop', {'lr': 0.02, 'maximize': True}, 6),
    ('ASGD', {}, 12),
    ('ASGD', {'lr': 0.1, 'lambd': 1e-2, 'alpha': 0.5, 't0': 3, 'weight_decay': 0.05}, 12),
    ('ASGD', {'lr': 0.05, 't0': 0, 'maximize': True}, 6),
    ('LBFGS', {}, 3),
    ('LBFGS', {'lr': 0.5, 'max_iter': 5, 'history_size': 3}, 4),
    ('LBFGS', {'line_search_fn': 'strong_wolfe'}, 3),
    ('LBFGS', {'line_search_fn': 'strong_wolfe', 'max_iter': 7, 'history_size': 2, 'tolerance_change': 1e-6}, 4),
]

CAMEL = {'step_sizes': 'stepSizes', 'weight_decay': 'weightDecay', 'max_iter': 'maxIter', 'history_size': 'historySize',
         'line_search_fn': 'lineSearchFn', 'tolerance_change': 'toleranceChange', 'max_eval': 'maxEval',
         'tolerance_grad': 'toleranceGrad'}


def run_opt(name, kw, steps, dtype):
    ps = model(dtype)
    opt = getattr(torch.optim, name)(ps, **kw)
    traj, losses = [], []

    def closure():
        opt.zero_grad()
        l = loss_of(ps, dtype)
        l.backward()
        return l

    for _ in range(steps):
        if name == 'LBFGS':
            l = opt.step(closure)
        else:
            l = closure()
            opt.step()
        losses.append(float(l))
        traj.append([flat(p) for p in ps])
    st = opt.state[ps[0]]
    state = {}
    for k, v in st.items():
        if torch.is_tensor(v):
            state[k] = flat(v)
        elif isinstance(v, (int, float)):
            state[k] = float(v)
    return {'traj': traj, 'losses': losses, 'state0': state}


fx['optim'] = []
for name, kw, steps in OPT_CASES:
    case = {'name': name, 'options': {CAMEL.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()},
            'steps': steps, 'float64': run_opt(name, kw, steps, D), 'float32': run_opt(name, kw, steps, torch.float32)}
    fx['optim'].append(case)

# LBFGS on Rosenbrock (the classic test), float64
xr = torch.tensor([-1.5, 2.0], dtype=D, requires_grad=True)
opt = torch.optim.LBFGS([xr], line_search_fn='strong_wolfe')


def rosen():
    opt.zero_grad()
    l = (1 - xr[0]) ** 2 + 100 * (xr[1] - xr[0] ** 2) ** 2
    l.backward()
    return l


ros = []
for _ in range(5):
    opt.step(rosen)
    ros.append(flat(xr))
fx['rosenbrock'] = {'traj': ros, 'func_evals': opt.state[xr]['func_evals'], 'n_iter': opt.state[xr]['n_iter']}

# ---------------------------------------------------------------------------------------------------------------
# WGAN-GP: one critic step with the gradient penalty, per activation.

REAL = torch.randn(6, 4, dtype=D)
FAKE = torch.randn(6, 4, dtype=D)
EPS = torch.rand(6, 1, dtype=D)
CW1 = torch.randn(8, 4, dtype=D) * 0.5
CB1 = torch.randn(8, dtype=D) * 0.1
CW2 = torch.randn(1, 8, dtype=D) * 0.5
CB2 = torch.randn(1, dtype=D) * 0.1
fx['wgan_inputs'] = {'real': tj(REAL), 'fake': tj(FAKE), 'eps': tj(EPS), 'w1': tj(CW1), 'b1': tj(CB1), 'w2': tj(CW2), 'b2': tj(CB2)}
ACTS = {
    'leakyRelu': lambda h: F.leaky_relu(h, 0.2),
    'relu': F.relu,
    'tanh': torch.tanh,
    'sigmoid': torch.sigmoid,
    'gelu': F.gelu,
    'geluTanh': lambda h: F.gelu(h, approximate='tanh'),
    'silu': F.silu,
    'elu': F.elu,
    'softplus': F.softplus,
    'erf': torch.erf,
    'sinExp': lambda h: torch.sin(h) * torch.exp(h * 0.3),
}
fx['wgan'] = {}
for an, act in ACTS.items():
    ps = [t.clone().requires_grad_(True) for t in (CW1, CB1, CW2, CB2)]

    def critic(x):
        return F.linear(act(F.linear(x, ps[0], ps[1])), ps[2], ps[3])

    interp = (EPS * REAL + (1 - EPS) * FAKE).requires_grad_(True)
    d_i = critic(interp)
    g, = torch.autograd.grad(d_i, interp, torch.ones_like(d_i), create_graph=True)
    gp = ((g.norm(2, dim=1) - 1) ** 2).mean()
    loss = critic(FAKE).mean() - critic(REAL).mean() + 10 * gp
    loss.backward()
    fx['wgan'][an] = {'gp': float(gp), 'loss': float(loss), 'grads': [flat(p.grad) for p in ps], 'input_grad': flat(g)}

# a conv critic: conv2d → leaky relu → avg pool → linear
IMG_R = torch.randn(2, 1, 5, 5, dtype=D)
IMG_F = torch.randn(2, 1, 5, 5, dtype=D)
IMG_E = torch.rand(2, 1, 1, 1, dtype=D)
KW = torch.randn(3, 1, 3, 3, dtype=D) * 0.4
KB = torch.randn(3, dtype=D) * 0.1
LW = torch.randn(1, 3 * 1 * 1, dtype=D) * 0.5
ps = [t.clone().requires_grad_(True) for t in (KW, KB, LW)]


def conv_critic(x):
    h = F.leaky_relu(F.conv2d(x, ps[0], ps[1], padding=1), 0.2)
    h = F.avg_pool2d(h, 5)
    return F.linear(h.flatten(1), ps[2])


interp = (IMG_E * IMG_R + (1 - IMG_E) * IMG_F).requires_grad_(True)
d_i = conv_critic(interp)
g, = torch.autograd.grad(d_i, interp, torch.ones_like(d_i), create_graph=True)
gp = ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
loss = conv_critic(IMG_F).mean() - conv_critic(IMG_R).mean() + 10 * gp
loss.backward()
fx['wgan_conv'] = {'real': tj(IMG_R), 'fake': tj(IMG_F), 'eps': tj(IMG_E), 'kw': tj(KW), 'kb': tj(KB), 'lw': tj(LW),
                   'gp': float(gp), 'grads': [flat(p.grad) for p in ps]}

# ---------------------------------------------------------------------------------------------------------------
# Second derivatives of losses and torch.autograd.functional

LOGITS = torch.randn(3, 4, dtype=D)
TARGET = torch.tensor([1, 0, 3])
PRED_T = torch.randn(3, 4, dtype=D)


def ce(z):
    return F.cross_entropy(z, TARGET)


def mse(z):
    return F.mse_loss(z, PRED_T)


def smx(z):
    return (F.softmax(z, dim=1) * PRED_T).sum() + F.log_softmax(z, dim=0).pow(2).sum() * 0.1


fx['hess_inputs'] = {'logits': tj(LOGITS), 'target': TARGET.tolist(), 'pred_t': tj(PRED_T)}
fx['hessians'] = {}
for nm, f in [('crossEntropy', ce), ('mse', mse), ('softmax', smx)]:
    fx['hessians'][nm] = tj(torch.autograd.functional.hessian(f, LOGITS))

XF = torch.randn(3, dtype=D)
VF = torch.randn(3, dtype=D)
YF = torch.randn(2, dtype=D)


def fvec(x, y):
    return torch.stack([(x.sin() * x.pow(3)).sum() + (x[0] * y).sum(), torch.logsumexp(x, 0) * y.prod()])


def fscal(x):
    return (x.exp() * x.cos()).sum() + x.norm() * x.sum().tanh()


jx, jy = torch.autograd.functional.jacobian(fvec, (XF, YF))
fx['functional'] = {
    'x': tj(XF), 'v': tj(VF), 'y': tj(YF),
    'jac_x': tj(jx), 'jac_y': tj(jy),
    'hess': tj(torch.autograd.functional.hessian(fscal, XF)),
    'vjp': tj(torch.autograd.functional.vjp(lambda x: fvec(x, YF), XF, torch.tensor([0.5, -2.0], dtype=D))[1]),
    'jvp': tj(torch.autograd.functional.jvp(lambda x: fvec(x, YF), XF, VF)[1]),
    'hvp': tj(torch.autograd.functional.hvp(fscal, XF, VF)[1]),
    'vhp': tj(torch.autograd.functional.vhp(fscal, XF, VF)[1]),
}

# triple derivative through grad(create_graph=True) twice
xt = XF.clone().requires_grad_(True)
y = (xt.tanh() * xt.sigmoid()).sum() + xt.pow(4).sum()
g1, = torch.autograd.grad(y, xt, create_graph=True)
g2, = torch.autograd.grad(g1.sum(), xt, create_graph=True)
g3, = torch.autograd.grad(g2.sum(), xt)
fx['third'] = {'g1': flat(g1), 'g2': flat(g2), 'g3': flat(g3)}

# ---------------------------------------------------------------------------------------------------------------
# LegendrePolynomial3 (pytorch/tutorials beginner_source/examples_autograd/polynomial_custom_function.py), float64


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


x = torch.linspace(-math.pi, math.pi, 2000, dtype=D)
y = torch.sin(x)
a = torch.full((), 0.0, dtype=D, requires_grad=True)
b = torch.full((), -1.0, dtype=D, requires_grad=True)
c = torch.full((), 0.0, dtype=D, requires_grad=True)
d = torch.full((), 0.3, dtype=D, requires_grad=True)
lr = 5e-6
losses = []
STEPS = 300
for t in range(STEPS):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 50 == 49:
        losses.append(float(loss))
    loss.backward()
    with torch.no_grad():
        a -= lr * a.grad
        b -= lr * b.grad
        c -= lr * c.grad
        d -= lr * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
fx['legendre'] = {'steps': STEPS, 'losses': losses, 'abcd': [float(a), float(b), float(c), float(d)]}

with open(OUT, 'w') as fh:
    json.dump(fx, fh)
print('wrote', os.path.relpath(OUT))
