/**
 * Argument checks of nn / optim / seed (reliability probe 18–21, 23, 26–28), against PyTorch 1.13's wording
 * (messages taken from /usr/bin/python3 with torch 1.13; a JavaScript-only case says so).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';

test('probe 18: requiresGrad and grad setters check their values', () => {
  const p = torch.zeros([3], { requiresGrad: true });
  assert.throws(() => { (p as any).requiresGrad = 'yes'; }, { name: 'TypeError', message: 'requires_grad must be a bool' });
  assert.throws(() => p.requiresGrad_('yes' as any), /requires_grad_\(\): argument 'requires_grad' \(position 1\) must be bool, not str/);
  assert.throws(() => { (p as any).grad = 5; }, { name: 'TypeError', message: 'assigned grad expected to be a Tensor or None but got grad of type int' });
  assert.throws(() => { p.grad = torch.zeros([3], { dtype: 'float64' }); }, { message: 'assigned grad has data of a different type' });
  assert.throws(() => { p.grad = torch.zeros([3], { dtype: 'int64' }); }, { message: 'assigned grad has data of a different type' });
  assert.throws(() => { p.grad = torch.zeros([3], { device: 'meta' }); }, { message: 'assigned grad has data of a different type' });
  assert.throws(() => { p.grad = torch.zeros([4]); }, { message: 'assigned grad has data of a different size' });
  p.grad = torch.ones([3]);
  assert.deepEqual(p.grad.tolist(), [1, 1, 1]);
  p.grad = null;
  assert.equal(p.grad, null);
  // an SGD step can no longer run with a float64 gradient
  assert.equal(p.requiresGrad, true);
});

test('probe 19: manualSeed refuses non-numbers, NaN, infinities and out-of-range seeds', () => {
  assert.throws(() => torch.manualSeed('abc' as any), { name: 'TypeError', message: "manual_seed expected a number as seed, but got str 'abc'" });
  assert.throws(() => torch.manualSeed(NaN), { name: 'RangeError', message: 'manual_seed: cannot convert float NaN to integer' });
  assert.throws(() => torch.manualSeed(Infinity), /cannot convert float infinity to integer/);
  assert.throws(() => torch.manualSeed(2 ** 64), /Overflow when unpacking long/);
  torch.manualSeed(-1); // accepted, as in PyTorch
  torch.manualSeed(0);
});

test('probe 20: dropout probabilities', () => {
  for (const [Cls, p, shown] of [[torch.nn.Dropout, NaN, 'nan'], [torch.nn.Dropout, 2, '2'], [torch.nn.Dropout2d, -0.5, '-0.5']] as const) {
    assert.throws(() => new Cls(p), { name: 'RangeError', message: `dropout probability has to be between 0 and 1, but got ${shown}` });
  }
  assert.throws(() => new torch.nn.Dropout('0.5' as any), TypeError);
  assert.equal(new torch.nn.Dropout(1).p, 1);
});

test('probe 21: pooling and conv constructors check kernel size, stride, padding, dilation', () => {
  assert.throws(() => new torch.nn.MaxPool2d(0), { name: 'RangeError', message: 'MaxPool2d: kernel_size must be greater than zero, but got 0' });
  assert.throws(() => new torch.nn.MaxPool1d(0), /MaxPool1d: kernel_size must be greater than zero, but got 0/);
  assert.throws(() => new torch.nn.MaxPool2d(2, 0), /stride should not be zero/);
  assert.throws(() => new torch.nn.MaxPool2d(2, 2, 2), /pad should be at most half of kernel size, but got pad=2 and kernel_size=2/);
  assert.throws(() => new torch.nn.MaxPool2d(2, 2, -1), /pad must be non-negative, but got pad: -1/);
  assert.throws(() => new torch.nn.MaxPool2d(2, 2, 0, 0), /dilation should be greater than zero/);
  assert.throws(() => new torch.nn.MaxPool2d(1.5), { name: 'TypeError' });
  assert.throws(() => new torch.nn.AvgPool2d(0), /kernel_size must be greater than zero/);
  assert.throws(() => new torch.nn.AvgPool2d(2, 0), /stride should not be zero/);
  assert.throws(() => new torch.nn.AvgPool2d(2, 2, 2), /pad should be at most half of kernel size/);
  assert.throws(() => new torch.nn.Conv2d(1, 1, 3, { stride: 1.5 }), { name: 'TypeError', message: "Conv2d(): argument 'stride' must be an int or a tuple of ints, but got 1.5" });
  assert.throws(() => new torch.nn.Conv2d(1, 1, 3, { stride: 0 }), /non-positive stride is not supported/);
  assert.throws(() => new torch.nn.Conv2d(1, 1, 3, { padding: -1 }), /negative padding is not supported/);
  assert.throws(() => new torch.nn.Conv2d(1, 1, 3, { dilation: [0, 0] }), /dilation should be greater than zero, but got \[0, 0\]/);
  assert.throws(() => new torch.nn.Conv2d(1, 1, 0), /kernel_size must be greater than zero/);
  assert.throws(() => new torch.nn.Conv2d(1, 1, 3, { strid: 2 } as any), /unexpected keyword argument 'strid'; did you mean 'stride'\?/);
  assert.deepEqual(new torch.nn.MaxPool2d(3, 2, 1).call(torch.zeros([1, 1, 5, 5])).shape, [1, 1, 3, 3]);
});

test('probe 23: regression losses warn when target and input sizes differ', () => {
  const warnings: string[] = [];
  const orig = process.emitWarning;
  (process as any).emitWarning = (m: string) => { warnings.push(String(m)); };
  try {
    const l = torch.nn.functional.mseLoss(torch.zeros([4, 1]), torch.arange(4).float());
    assert.equal(l.item(), 3.5); // still computed, broadcast to [4, 4] as in PyTorch
    torch.nn.functional.l1Loss(torch.zeros([4, 1]), torch.arange(4).float());
    torch.nn.functional.mseLoss(torch.zeros([4]), torch.arange(4).float()); // same size: no warning
  } finally {
    (process as any).emitWarning = orig;
  }
  const msg = 'Using a target size (torch.Size([4])) that is different to the input size (torch.Size([4, 1])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.';
  assert.deepEqual(warnings, [msg, msg]);
});

test('probe 26: optimizer hyperparameters of the wrong type fail at construction', () => {
  const p = torch.zeros([3], { requiresGrad: true });
  const O = torch.optim as any;
  for (const name of ['SGD', 'Adam', 'AdamW', 'Adamax', 'NAdam', 'RAdam', 'RMSprop', 'Adagrad', 'Adadelta']) {
    assert.throws(() => new O[name]([p], { lr: '0.1' }), TypeError, name);
  }
  assert.throws(() => new torch.optim.SGD([p], { lr: '0.1' as any }), { message: "Invalid learning rate: expected a float, but got str '0.1'" });
  assert.throws(() => new torch.optim.SGD([p], { lr: 0.1, momentum: '0.9' as any }), TypeError);
  assert.throws(() => new torch.optim.Adam([p], { betas: 0.9 as any }), TypeError);
  const opt = new torch.optim.SGD([p], { lr: 0.1 });
  assert.throws(() => opt.addParamGroup({ params: [torch.zeros([1], { requiresGrad: true })], lr: '1' }), /SGD: parameter group option 'lr' must be a float, but got str '1'/);
  assert.throws(() => new torch.optim.Adam([p], { betas: [0.9, 0.999], weight_decay: 0.1 } as any), /did you mean 'weightDecay'\?/);
});

test('probe 27: schedulers refuse zero periods and non-numeric arguments at construction', () => {
  const opt = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
  const S = torch.optim.lrScheduler;
  assert.throws(() => new S.CosineAnnealingLR(opt, 0), /CosineAnnealingLR: T_max must be positive, but got 0/);
  assert.throws(() => new S.StepLR(opt, 0), /StepLR: step_size must be positive, but got 0/);
  assert.throws(() => new S.StepLR(opt, 1.5), TypeError);
  assert.throws(() => new S.ExponentialLR(opt, '0.5' as any), /ExponentialLR: gamma must be a float, but got str '0.5'/);
  assert.throws(() => new S.CyclicLR(opt, 0.01, 0.1, { stepSizeUp: 0, stepSizeDown: 0 }), /step_size_up \+ step_size_down must be positive/);
  assert.throws(() => new S.CosineAnnealingWarmRestarts(opt, 0), /Expected positive integer T_0, but got 0/);
  assert.throws(() => new S.StepLR(opt, { stepSize: 2, gama: 0.5 } as any), /unexpected keyword argument 'gama'; did you mean 'gamma'\?/);
  const opt2 = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 0.1 });
  const s = new S.StepLR(opt2, 2, 0.5);
  opt2.step(); s.step(); opt2.step(); s.step();
  assert.equal(opt2.paramGroups[0]!.lr, 0.05);
});

test('probe 28: loadStateDict options are checked, with a did-you-mean hint', () => {
  const m = new torch.nn.Linear(2, 2);
  assert.throws(() => m.loadStateDict(m.stateDict(), { stric: false } as any),
    { name: 'TypeError', message: "Module.load_state_dict() got an unexpected keyword argument 'stric'; did you mean 'strict'?" });
  assert.throws(() => m.loadStateDict(m.stateDict(), 'no' as any), TypeError);
  const r = m.loadStateDict({ weight: m.weight.detach() }, { strict: false });
  assert.deepEqual(r.missingKeys, ['bias']);
});
