/**
 * Probe row 13's nn parts and their siblings (issue 11, item 4): a module called without its input, JS arrays where
 * nn.functional takes tensors, and non-integer or out-of-range kernel sizes, strides, paddings and dilations on every
 * conv/pool functional (the modules were checked before; the functionals computed fractional or NaN geometries, and
 * a zero stride made `F.maxPool2d` loop forever). Messages follow PyTorch's (see the comments for the Python call).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from 'torchlet';

const { nn } = torch;
const F = nn.functional;
const any = (o: unknown): any => o;

test('a module called without its input: Python\'s missing-argument TypeError', () => {
  // torch.nn.Linear(4, 2)() → TypeError: Linear.forward() missing 1 required positional argument: 'input'
  assert.throws(() => any(new nn.Linear(4, 2)).call(), { name: 'TypeError', message: "Linear.forward() missing 1 required positional argument: 'input'" });
  assert.throws(() => any(new nn.Conv2d(1, 1, 3)).call(), { name: 'TypeError', message: "Conv2d.forward() missing 1 required positional argument: 'input'" });
  assert.throws(() => any(new nn.Sequential(new nn.ReLU())).call(), /Sequential.forward\(\) missing 1 required positional argument/);
  assert.throws(() => any(new nn.ReLU()).call(), /ReLU.forward\(\) missing 1 required positional argument/);
  // a module whose forward takes optional arguments still runs with only the first
  const enc = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
  assert.deepEqual(enc.call(torch.ones([3, 1, 4])).shape, [3, 1, 4]);
});

test('JS arrays where nn.functional takes tensors: TypeError naming the argument, for every functional', () => {
  const x = torch.randn([2, 3]), t = torch.tensor([0, 1], { dtype: 'int64' });
  // F.cross_entropy(x, [0, 1]) → TypeError: cross_entropy_loss(): argument 'target' (position 2) must be Tensor, not list
  assert.throws(() => F.crossEntropy(x, any([0, 1])), { name: 'TypeError', message: "cross_entropy(): argument 'target' (position 2) must be Tensor, not Array" });
  assert.throws(() => F.crossEntropy(any([[1, 2, 3]]), t), /cross_entropy\(\): argument 'input' \(position 1\) must be Tensor, not Array/);
  assert.throws(() => new nn.CrossEntropyLoss().call(x, any([0, 1])), /argument 'target' \(position 2\) must be Tensor, not Array/);
  assert.throws(() => new nn.Linear(3, 2).call(any([[1, 2, 3]])), /linear\(\): argument 'input' \(position 1\) must be Tensor, not Array/);
  const calls: [string, () => unknown][] = [
    ['nll_loss', () => F.nllLoss(x, any([0, 1]))], ['mse_loss', () => F.mseLoss(x, any(undefined))], ['l1_loss', () => F.l1Loss(any(null), x)],
    ['smooth_l1_loss', () => F.smoothL1Loss(x, any({}))], ['huber_loss', () => F.huberLoss(x, any('t'))],
    ['binary_cross_entropy', () => F.binaryCrossEntropy(x.sigmoid(), any([1]))], ['kl_div', () => F.klDiv(any([1]), x)],
    ['binary_cross_entropy_with_logits', () => F.binaryCrossEntropyWithLogits(x, any([1]))],
    ['relu', () => F.relu(any([1]))], ['sigmoid', () => F.sigmoid(any([1]))], ['tanh', () => F.tanh(any([1]))], ['gelu', () => F.gelu(any([1]))],
    ['silu', () => F.silu(any([1]))], ['softmax', () => F.softmax(any([1]), 0)], ['log_softmax', () => F.logSoftmax(any([1]), 0)],
    ['softplus', () => F.softplus(any([1]))], ['leaky_relu', () => F.leakyRelu(any([1]))], ['elu', () => F.elu(any([1]))],
    ['linear', () => F.linear(x, any([[1, 2, 3]]))], ['conv2d', () => F.conv2d(any([[1]]), torch.ones([1, 1, 1, 1]))],
    ['conv1d', () => F.conv1d(torch.ones([1, 1, 3]), any([1]))], ['max_pool2d', () => F.maxPool2d(any([1]), 2)], ['avg_pool2d', () => F.avgPool2d(any([1]), 2)],
    ['max_pool1d', () => F.maxPool1d(any([1]), 2)], ['avg_pool1d', () => F.avgPool1d(any([1]), 2)], ['adaptive_avg_pool2d', () => F.adaptiveAvgPool2d(any([1]), 1)],
    ['batch_norm', () => F.batchNorm(any([1]), null, null)], ['layer_norm', () => F.layerNorm(any([1]), [1])], ['group_norm', () => F.groupNorm(any([1]), 1)],
    ['dropout', () => F.dropout(any([1]))], ['embedding', () => F.embedding(t, any([[1]]))], ['pad', () => F.pad(any([1]), [1, 1])],
    ['unfold', () => F.unfold(any([1]), 2)],
  ];
  for (const [fn, f] of calls) {
    assert.throws(f, (e: Error) => e instanceof TypeError && e.message.startsWith(`${fn}(): argument '`) && /must be Tensor, not/.test(e.message), fn);
  }
});

test('conv/pool functionals: kernel sizes, strides, paddings, dilations must be ints (PyTorch\'s TypeError)', () => {
  const x4 = torch.randn([1, 1, 6, 6]), x3 = torch.randn([1, 1, 6]), w = torch.ones([1, 1, 3, 3]);
  // F.max_pool2d(x, 2, stride=1.5) → TypeError: max_pool2d(): argument 'stride' (position 3) must be tuple of ints, not float
  // F.conv2d(x, w, stride=(1, 1.5)) → TypeError: conv2d(): argument 'stride' must be tuple of ints, but found element of type float at pos 2
  const bad: [string, () => unknown, RegExp][] = [
    ['conv2d stride', () => F.conv2d(x4, w, null, { stride: 1.5 }), /argument 'stride' must be tuple of ints, not float/],
    ['conv2d stride pair', () => F.conv2d(x4, w, null, { stride: [1, 1.5] }), /argument 'stride' must be tuple of ints, but found element of type float at pos 2/],
    ['conv2d padding', () => F.conv2d(x4, w, null, { padding: 0.5 }), /argument 'padding' must be tuple of ints/],
    ['conv2d padding NaN', () => F.conv2d(x4, w, null, { padding: NaN }), /argument 'padding' must be tuple of ints, not float \(nan\)/],
    ['conv2d dilation', () => F.conv2d(x4, w, null, { dilation: 1.5 }), /argument 'dilation' must be tuple of ints/],
    ['conv2d stride str', () => F.conv2d(x4, w, null, any({ stride: '2' })), /argument 'stride' must be tuple of ints, not str/],
    ['conv1d stride', () => F.conv1d(x3, torch.ones([1, 1, 3]), null, { stride: 1.5 }), /argument 'stride' must be tuple of ints/],
    ['convTranspose2d stride', () => F.convTranspose2d(x4, w, null, { stride: 1.5 }), /argument 'stride' must be tuple of ints/],
    ['convTranspose1d outputPadding', () => F.convTranspose1d(x3, torch.ones([1, 1, 3]), null, { stride: 2, outputPadding: 0.5 }), /argument 'output_padding' must be tuple of ints/],
    ['maxPool2d kernel', () => F.maxPool2d(x4, 2.5), /argument 'kernel_size' must be tuple of ints, not float/],
    ['maxPool2d stride', () => F.maxPool2d(x4, 2, { stride: 1.5 }), /argument 'stride' must be tuple of ints, not float/],
    ['maxPool2d padding', () => F.maxPool2d(x4, 2, { padding: 0.5 }), /argument 'padding' must be tuple of ints/],
    ['maxPool2d dilation', () => F.maxPool2d(x4, 2, { dilation: 1.5 }), /argument 'dilation' must be tuple of ints/],
    ['avgPool2d kernel', () => F.avgPool2d(x4, [2, 1.5]), /argument 'kernel_size' must be tuple of ints, but found element of type float at pos 2/],
    ['maxPool1d stride', () => F.maxPool1d(x3, 2, { stride: 1.5 }), /argument 'stride' must be tuple of ints/],
    ['avgPool1d kernel', () => F.avgPool1d(x3, 1.5), /argument 'kernel_size' must be tuple of ints/],
    ['adaptiveAvgPool2d', () => F.adaptiveAvgPool2d(x4, 2.5), /adaptive_avg_pool2d\(\): argument 'output_size' must be tuple of ints/],
    ['adaptiveAvgPool1d', () => F.adaptiveAvgPool1d(x3, 1.5), /adaptive_avg_pool1d\(\): argument 'output_size' must be tuple of ints/],
    ['unfold kernel', () => F.unfold(x4, 2.5), /argument 'kernel_size' must be tuple of ints/],
    ['fold stride', () => F.fold(torch.ones([1, 4, 9]), [4, 4], 2, { stride: 1.5 }), /argument 'stride' must be tuple of ints/],
  ];
  for (const [what, f, re] of bad) assert.throws(f, (e: Error) => e instanceof TypeError && re.test(e.message), what);
  // and the modules, which were already checked, still are
  assert.throws(() => new nn.Conv2d(1, 1, 3, { stride: 1.5 }), /Conv2d\(\): argument 'stride' must be an int or a tuple of ints, but got 1.5/);
  assert.throws(() => new nn.Conv2d(1.5, 1, 3), /Conv2d\(\): argument 'in_channels' must be int, not float/);
  assert.throws(() => new nn.GroupNorm(1.5, 3), /GroupNorm\(\): argument 'num_groups' must be int, not float/);
});

test('conv/pool functionals: zero or negative strides, dilations, paddings, kernels fail at once (a zero pool stride used to hang)', () => {
  const x4 = torch.randn([1, 1, 6, 6]), w = torch.ones([1, 1, 3, 3]);
  const bad: [string, () => unknown, RegExp][] = [
    // F.max_pool2d(x, 2, stride=0) → RuntimeError: stride should not be zero
    ['maxPool2d stride 0', () => F.maxPool2d(x4, 2, { stride: 0 }), /^stride should not be zero$/],
    ['avgPool2d stride 0', () => F.avgPool2d(x4, 2, { stride: 0 }), /^stride should not be zero$/],
    ['maxPool2d stride -1', () => F.maxPool2d(x4, 2, { stride: -1 }), /stride should be greater than zero/],
    // F.max_pool2d(x, 2, dilation=0) → dilation should be greater than zero, but got dilationH: 0 dilationW: 0
    ['maxPool2d dilation 0', () => F.maxPool2d(x4, 2, { dilation: 0 }), /dilation should be greater than zero, but got dilationH: 0 dilationW: 0/],
    ['maxPool2d pad -1', () => F.maxPool2d(x4, 2, { padding: -1 }), /pad must be non-negative, but got pad: -1/],
    ['maxPool2d kernel 0', () => F.maxPool2d(x4, 0), /kernel size should be greater than zero/],
    // F.conv2d(x, w, dilation=0) → dilation should be greater than zero, but got [0, 0]
    ['conv2d dilation 0', () => F.conv2d(x4, w, null, { dilation: 0 }), /dilation should be greater than zero, but got \[0, 0\]/],
    ['conv2d padding -1', () => F.conv2d(x4, w, null, { padding: -1 }), /negative padding is not supported/],
    ['conv2d stride 0', () => F.conv2d(x4, w, null, { stride: 0 }), /non-positive stride is not supported/],
    ['convTranspose2d dilation 0', () => F.convTranspose2d(x4, w, null, { dilation: 0 }), /dilation should be greater than zero/],
    ['convTranspose2d padding -1', () => F.convTranspose2d(x4, w, null, { padding: -1 }), /negative padding is not supported/],
    ['unfold stride 0', () => F.unfold(x4, 2, { stride: 0 }), /stride should be greater than zero/],
    ['adaptiveAvgPool2d -1', () => F.adaptiveAvgPool2d(x4, -1), /elements of output_size must be greater than or equal to 0/],
  ];
  for (const [what, f, re] of bad) assert.throws(f, (e: Error) => e instanceof RangeError && re.test(e.message), what);
  // valid geometries still compute
  assert.deepEqual(F.maxPool2d(x4, 2, { stride: 1 }).shape, [1, 1, 5, 5]);
  assert.deepEqual(F.conv2d(x4, w, null, { stride: [1, 2], padding: 1 }).shape, [1, 1, 6, 3]);
});
