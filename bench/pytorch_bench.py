"""PyTorch's side of `npm run bench` (bench/native.ts spawns it once per round; /usr/bin/python3 with torch).

Usage: pytorch_bench.py THREADS MIN_SCALE. Same shapes and loops as bench/native.ts and bench/compare.ts:
matmul n x n float32 (GFLOP/s) for n in 256..2048, conv2d 64->64 3x3 on 32x64x16x16 forward + backward (ms),
the MLP step 784-512-256-10 batch 128 with Adam (ms), the CNN step (conv 32/64 + pool, linear 256/10, 3x32x32,
batch 64, SGD momentum 0.9; ms) and a tiny op (a.add(b) of 1-element tensors; us per op). Medians; prints JSON.
"""
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]))
scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0


def med(xs):
    s = sorted(xs)
    return s[len(s) // 2]


last_cpu_ms = float('nan')
last_loop_ms = float('nan')


def time_ms(fn, min_s, min_iters=5, warm_s=0.0):
    """Median wall ms per call; sets last_cpu_ms to the process CPU ms per call (all threads) and last_loop_ms to
    the wall ms per call of the whole timed loop, as bench/native.ts; warm_s of untimed calls first."""
    global last_cpu_ms, last_loop_ms
    fn(); fn()
    w0 = time.perf_counter()
    while time.perf_counter() - w0 < warm_s * scale:
        fn()
    ts = []
    cpu = 0.0
    start = time.perf_counter()
    while len(ts) < min_iters or time.perf_counter() - start < min_s * scale:
        c0 = time.process_time(); t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
        cpu += time.process_time() - c0
    last_cpu_ms = cpu / len(ts) * 1000
    last_loop_ms = (time.perf_counter() - start) / len(ts) * 1000
    return med(ts) * 1000


out = {'version': torch.__version__, 'threads': torch.get_num_threads()}
torch.manual_seed(0)
for n in (256, 512, 1024, 2048):
    a, b = torch.randn(n, n), torch.randn(n, n)
    out['mm%d' % n] = 2 * n ** 3 / (time_ms(lambda: a @ b, 0.4) * 1e6)

torch.manual_seed(0)
x = torch.randn(32, 64, 16, 16, requires_grad=True)
w = torch.randn(64, 64, 3, 3, requires_grad=True)
bias = torch.randn(64, requires_grad=True)
def conv():
    x.grad = None; w.grad = None; bias.grad = None
    F.conv2d(x, w, bias, padding=1).sum().backward()
out['conv'] = time_ms(conv, 1.0); out['convCpu'] = last_cpu_ms

torch.manual_seed(0)
mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
opt = torch.optim.Adam(mlp.parameters(), lr=1e-3)
xm, ym = torch.randn(128, 784), torch.randint(0, 10, (128,))
def mlp_step():
    loss = F.cross_entropy(mlp(xm), ym)
    opt.zero_grad(); loss.backward(); opt.step()
out['mlp'] = time_ms(mlp_step, 1.5, 10, 1.0); out['mlpCpu'] = last_cpu_ms; out['mlpLoop'] = last_loop_ms

torch.manual_seed(0)
cnn = nn.Sequential(
    nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64 * 8 * 8, 256), nn.ReLU(), nn.Linear(256, 10))
copt = torch.optim.SGD(cnn.parameters(), lr=0.01, momentum=0.9)
xc, yc = torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))
def cnn_step():
    loss = F.cross_entropy(cnn(xc), yc)
    copt.zero_grad(); loss.backward(); copt.step()
out['cnn'] = time_ms(cnn_step, 3.0, 5, 1.5); out['cnnCpu'] = last_cpu_ms; out['cnnLoop'] = last_loop_ms

a1, b1 = torch.ones(1), torch.ones(1)
N = 20000
def tiny():
    for _ in range(N): a1.add(b1)
out['tiny'] = time_ms(tiny, 0.5) * 1000 / N; out['tinyCpu'] = last_cpu_ms * 1000 / N
print(json.dumps(out))
