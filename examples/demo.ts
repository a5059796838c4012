/**
 * The torchlet demo: a small CNN learns the UCI optical digits (1,797 8×8 images shipped in data/), showing
 * the nine everyday PyTorch tips, each visibly in the output:
 *
 *  1. the device it runs on and how to choose another (`--device`, CUDA_VISIBLE_DEVICES);
 *  2. the model summary (torchinfo-style);
 *  3. `clipGradNorm_` with the total gradient norm logged;
 *  4. one image predicted through `unsqueeze(0)` at the end;
 *  5. one-hot targets for an MSE-trained variant (`--loss mse`) beside cross-entropy on class indices;
 *  6. validation each epoch under `model.eval()` and `torch.noGrad`;
 *  7. a learning-rate schedule (StepLR by default, `--scheduler` picks another);
 *  8. a pretrained feature extractor loaded from a checkpoint and frozen by parameter name, unfrozen later
 *     through `optimizer.addParamGroup`;
 *  9. different learning rates for the feature extractor and the head (parameter groups).
 *
 * Run: `npm run demo` (or `npm run demo -- --help`).
 */
// first: --backend sets TORCHLET_BACKEND before torchlet registers the backend serving cpu
import { servingBackend, nativeReason } from './_backend.js';
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import * as torch from 'torchlet';
import type { Tensor } from 'torchlet';

const { nn, optim } = torch;
const F = nn.functional;

// ---------------------------------------------------------------------------------------------------------
// Command line

const OPTIONS = {
  backend: { type: 'string', default: '', help: "'native' (libtorch's ATen kernels) or 'portable' (TypeScript); default: native when built" },
  device: { type: 'string', default: 'cpu', help: "device to run on: 'cpu', 'cuda', 'cuda:N' (GPU N after CUDA_VISIBLE_DEVICES renumbering)" },
  epochs: { type: 'string', default: '12', help: 'training epochs after pretraining' },
  'pretrain-epochs': { type: 'string', default: '4', help: 'epochs of the pretraining run that produces the checkpoint' },
  'unfreeze-epoch': { type: 'string', default: '5', help: 'epoch at which the frozen feature extractor joins the optimizer (0 = never)' },
  'batch-size': { type: 'string', default: '32', help: 'mini-batch size' },
  lr: { type: 'string', default: '0.05', help: "the head's learning rate (the feature extractor gets lr × --feature-lr-scale)" },
  'feature-lr-scale': { type: 'string', default: '0.1', help: 'learning-rate factor for the feature extractor once unfrozen' },
  loss: { type: 'string', default: 'ce', help: "'ce' (cross-entropy on class indices) or 'mse' (MSE on one-hot targets)" },
  scheduler: { type: 'string', default: 'step', help: "'step' (StepLR 5, 0.5), 'cosine', 'exponential', 'onecycle', 'plateau' or 'none'" },
  'max-norm': { type: 'string', default: '20', help: 'clipGradNorm_ max_norm' },
  seed: { type: 'string', default: '0', help: 'random seed' },
  out: { type: 'string', default: 'runs/demo', help: 'output folder for the checkpoint, metrics CSV and SVG chart' },
  pretrained: { type: 'string', default: '', help: 'use this checkpoint instead of pretraining (a file written by a previous run)' },
  'min-accuracy': { type: 'string', default: '0.95', help: 'exit with status 1 when the test accuracy ends below this' },
  help: { type: 'boolean', default: false, help: 'show this help' },
} as const;

function usage(): string {
  const lines = ['Usage: npm run demo -- [options]', '', 'Options:'];
  for (const [k, o] of Object.entries(OPTIONS)) {
    lines.push(`  --${k.padEnd(18)} ${o.help}${o.type === 'string' && o.default !== '' ? ` (default: ${o.default})` : ''}`);
  }
  return lines.join('\n');
}

function fail(msg: string): never {
  console.error(`error: ${msg}\n\n${usage()}`);
  process.exit(2);
}

let args: Record<string, string | boolean>;
try {
  const parsed = parseArgs({
    options: Object.fromEntries(Object.entries(OPTIONS).map(([k, o]) => [k, { type: o.type, default: o.default }])) as any,
    strict: true,
    allowPositionals: false,
  });
  args = parsed.values as Record<string, string | boolean>;
} catch (e) {
  fail((e as Error).message);
}
if (args.help) { console.log(usage()); process.exit(0); }

function intArg(name: string, min: number): number {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < min) fail(`--${name} must be an integer >= ${min}, got '${args[name]}'`);
  return v;
}
function numArg(name: string, positive = true): number {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || (positive && v <= 0)) fail(`--${name} must be a ${positive ? 'positive ' : ''}number, got '${args[name]}'`);
  return v;
}
const cfg = {
  epochs: intArg('epochs', 1),
  pretrainEpochs: intArg('pretrain-epochs', 1),
  unfreezeEpoch: intArg('unfreeze-epoch', 0),
  batchSize: intArg('batch-size', 1),
  lr: numArg('lr'),
  featureLrScale: numArg('feature-lr-scale'),
  maxNorm: numArg('max-norm'),
  seed: intArg('seed', 0),
  loss: String(args.loss),
  scheduler: String(args.scheduler),
  out: String(args.out),
  pretrained: String(args.pretrained),
  minAccuracy: Number(args['min-accuracy']),
};
if (!(cfg.minAccuracy >= 0 && cfg.minAccuracy <= 1)) fail(`--min-accuracy must be a number in [0, 1], got '${args['min-accuracy']}'`);
if (!['ce', 'mse'].includes(cfg.loss)) fail(`--loss must be 'ce' or 'mse', got '${cfg.loss}'`);
if (!['step', 'cosine', 'exponential', 'onecycle', 'plateau', 'none'].includes(cfg.scheduler)) {
  fail(`--scheduler must be one of step, cosine, exponential, onecycle, plateau, none; got '${cfg.scheduler}'`);
}

// ---------------------------------------------------------------------------------------------------------
// Tip 1: the device

const section = (title: string) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 72 - title.length))}`);
section('1. Device');
let device: torch.Device;
try {
  device = torch.device(String(args.device));
  torch.zeros([1], { device }); // fails with PyTorch's message when the device cannot be used
} catch (e) {
  fail(`cannot use device '${args.device}': ${(e as Error).message}. torch.cuda.isAvailable() is ${torch.cuda.isAvailable()}; use --device cpu`);
}
const visible = torch.cuda.visibleDevices();
console.log(`running on ${device}  (torch.cuda.isAvailable() = ${torch.cuda.isAvailable()}, CUDA_VISIBLE_DEVICES = ${visible === null ? 'unset' : visible.join(',')})`);
console.log(servingBackend === 'native'
  ? 'backend: native (libtorch ATen kernels); --backend portable runs the TypeScript kernels'
  : `backend: portable (TypeScript kernels); native not serving: ${nativeReason}`);
console.log('choose another with --device cuda:1; CUDA_VISIBLE_DEVICES=0,2 makes physical GPU 2 appear as cuda:1');

// ---------------------------------------------------------------------------------------------------------
// Data: the UCI optical digits, split 70/15/15 with a seeded generator

torch.manualSeed(cfg.seed);
const digits = torch.datasets.loadDigits();
const full = new torch.utils.data.TensorDataset(digits.images.to(device), digits.labels.to(device));
const [trainSet, valSet, testSet] = torch.utils.data.randomSplit(full, [0.7, 0.15, 0.15], new torch.Generator(cfg.seed));
const trainLoader = new torch.utils.data.DataLoader(trainSet!, { batchSize: cfg.batchSize, shuffle: true, generator: new torch.Generator(cfg.seed) });
const valLoader = new torch.utils.data.DataLoader(valSet!, { batchSize: 256 });
const testLoader = new torch.utils.data.DataLoader(testSet!, { batchSize: 256 });
console.log(`data: ${full.length} digits (8×8), train ${trainSet!.length} / val ${valSet!.length} / test ${testSet!.length}`);

// ---------------------------------------------------------------------------------------------------------
// The model

class DigitNet extends nn.Module {
  features: torch.nn.Sequential;
  classifier: torch.nn.Sequential;
  constructor() {
    super();
    this.features = new nn.Sequential(
      new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.BatchNorm2d(16), new nn.ReLU(),
      new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    );
    this.classifier = new nn.Sequential(
      new nn.Flatten(), new nn.Dropout(0.25), new nn.Linear(32 * 4 * 4, 64), new nn.ReLU(), new nn.Linear(64, 10),
    );
  }
  override forward(x: Tensor): Tensor {
    return this.classifier.call(this.features.call(x));
  }
}

function lossFn(logits: Tensor, y: Tensor): Tensor {
  if (cfg.loss === 'ce') return F.crossEntropy(logits, y); // tip 5: cross-entropy takes class indices
  return F.mseLoss(logits, F.oneHot(y, 10).float()); // tip 5: MSE needs one-hot (float) targets
}

/** Tip 6: validation under eval() and noGrad; restores training mode. */
function evaluate(model: DigitNet, loader: torch.utils.data.DataLoader<any>): { loss: number; acc: number } {
  const wasTraining = model.training;
  model.eval();
  let loss = 0, correct = 0, n = 0;
  torch.noGrad(() => {
    for (const [x, y] of loader) {
      const out = model.call(x);
      loss += lossFn(out, y).item() * y.shape[0]!;
      correct += out.argmax(1).eq(y).sum().item();
      n += y.shape[0]!;
    }
  });
  model.train(wasTraining);
  return { loss: loss / n, acc: correct / n };
}

function bar(done: number, total: number, width = 24): string {
  const k = Math.round((done / total) * width);
  return `[${'█'.repeat(k)}${'·'.repeat(width - k)}]`;
}

interface EpochStats { epoch: number; loss: number; acc: number; valLoss: number; valAcc: number; lr: number; gradNorm: number; seconds: number }

function trainEpoch(model: DigitNet, opt: torch.optim.Optimizer, epoch: number, total: number, label: string): Omit<EpochStats, 'valLoss' | 'valAcc'> {
  model.train();
  const t0 = performance.now();
  let loss = 0, correct = 0, n = 0, norm = 0, steps = 0;
  const nb = trainLoader.length;
  const tty = process.stdout.isTTY;
  for (const [x, y] of trainLoader) {
    const out = model.call(x);
    const l = lossFn(out, y);
    opt.zeroGrad();
    l.backward();
    // tip 3: clip the global gradient norm (the returned norm is the one before clipping)
    const params = opt.paramGroups.flatMap((g) => g.params);
    norm += torch.nn.utils.clipGradNorm_(params, cfg.maxNorm, 2).item();
    opt.step();
    steps++;
    loss += l.item() * y.shape[0]!;
    correct += torch.noGrad(() => out.argmax(1).eq(y).sum().item());
    n += y.shape[0]!;
    if (tty) process.stdout.write(`\r${label} ${String(epoch).padStart(2)}/${total} ${bar(steps, nb)} loss ${(loss / n).toFixed(4)} acc ${((correct / n) * 100).toFixed(1)}%`);
  }
  if (tty) process.stdout.write('\r\x1b[K');
  return { epoch, loss: loss / n, acc: correct / n, lr: opt.paramGroups[0]!.lr as number, gradNorm: norm / steps, seconds: (performance.now() - t0) / 1000 };
}

mkdirSync(cfg.out, { recursive: true });
const tStart = performance.now();

// ---------------------------------------------------------------------------------------------------------
// Pretraining: produces the checkpoint the freezing tip starts from (skipped with --pretrained FILE)

let ckptPath = cfg.pretrained;
if (ckptPath === '') {
  section(`Pretraining the feature extractor (${cfg.pretrainEpochs} epochs) → checkpoint`);
  const pre = new DigitNet().to(device);
  const preOpt = new optim.SGD(pre.parameters(), { lr: 0.05, momentum: 0.9 });
  for (let e = 1; e <= cfg.pretrainEpochs; e++) {
    const s = trainEpoch(pre, preOpt, e, cfg.pretrainEpochs, 'pretrain');
    const v = evaluate(pre, valLoader);
    console.log(`pretrain ${String(e).padStart(2)}/${cfg.pretrainEpochs} ${bar(1, 1)} loss ${s.loss.toFixed(4)} acc ${(s.acc * 100).toFixed(1)}%  val acc ${(v.acc * 100).toFixed(1)}%`);
  }
  ckptPath = path.join(cfg.out, 'pretrained.safetensors');
  torch.save({ model: pre.stateDict(), optimizer: preOpt.stateDict(), epoch: cfg.pretrainEpochs }, ckptPath);
  console.log(`saved checkpoint ${ckptPath}`);
} else if (!existsSync(ckptPath)) {
  fail(`--pretrained: no such file '${ckptPath}'`);
}

// ---------------------------------------------------------------------------------------------------------
// Tip 8: load the pretrained feature extractor and freeze it by parameter name

section('8. Load the pretrained features and freeze them by parameter name');
const model = new DigitNet().to(device);
const ckpt = torch.load(ckptPath) as { model: Record<string, Tensor>; epoch: number };
const features = Object.fromEntries(Object.entries(ckpt.model).filter(([k]) => k.startsWith('features.')));
const { missingKeys, unexpectedKeys } = model.loadStateDict(features, { strict: false });
console.log(`loaded ${Object.keys(features).length} feature tensors from ${ckptPath} (epoch ${ckpt.epoch}); ` +
  `missing (new head): ${missingKeys.length}, unexpected: ${unexpectedKeys.length}`);
for (const [name, p] of model.namedParameters()) {
  if (name.startsWith('features.')) p.requiresGrad = false;
}
for (const [name, p] of model.namedParameters()) console.log(`name: ${name.padEnd(22)} grad: ${p.requiresGrad}`);

// ---------------------------------------------------------------------------------------------------------
// Tip 2: the model summary (frozen counts in parentheses, the Trainable column)

section('2. Model summary');
const stats = torch.summary(model, [1, 8, 8], { colNames: ['outputSize', 'numParams', 'trainable'], verbose: 0 });
console.log(String(stats));

// ---------------------------------------------------------------------------------------------------------
// Tips 9 and 7: an optimizer over the trainable parameters only (the head); the features join later with
// their own learning rate through addParamGroup; a learning-rate schedule

section('9 + 7. Parameter groups and the learning-rate schedule');
const head = model.namedParameters().filter(([, p]) => p.requiresGrad).map(([, p]) => p);
const featureParams = model.namedParameters().filter(([n]) => n.startsWith('features.')).map(([, p]) => p);
const opt = new optim.SGD([{ params: head, lr: cfg.lr }], { lr: cfg.lr, momentum: 0.9, weightDecay: 1e-4 });
let scheduler: any = null;
switch (cfg.scheduler) {
  case 'step': scheduler = new optim.lrScheduler.StepLR(opt, 5, 0.5); break;
  case 'cosine': scheduler = new optim.lrScheduler.CosineAnnealingLR(opt, cfg.epochs); break;
  case 'exponential': scheduler = new optim.lrScheduler.ExponentialLR(opt, 0.85); break;
  case 'onecycle': scheduler = new optim.lrScheduler.OneCycleLR(opt, cfg.lr * 2, { totalSteps: cfg.epochs }); break;
  case 'plateau': scheduler = new optim.lrScheduler.ReduceLROnPlateau(opt, 'max', { factor: 0.5, patience: 1 }); break;
  default: break;
}
const featureLr = +(cfg.lr * cfg.featureLrScale).toPrecision(6);
console.log(`optimizer: SGD momentum 0.9, weight decay 1e-4 (a shared default); head lr ${cfg.lr}; ` +
  `features frozen until epoch ${cfg.unfreezeEpoch || 'never'}, then lr ${featureLr}`);
console.log(`scheduler: ${cfg.scheduler === 'none' ? 'none' : scheduler.constructor.name} (stepped once per epoch, after optimizer.step())`);

// ---------------------------------------------------------------------------------------------------------
// Training: progress bar, clipping (3), validation (6), schedule (7), unfreezing (8 + 9)

section(`Training (${cfg.loss === 'ce' ? 'cross-entropy on class indices' : 'MSE on one-hot targets'})`);
const history: EpochStats[] = [];
for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
  if (epoch === cfg.unfreezeEpoch) {
    for (const p of featureParams) p.requiresGrad = true;
    // The new group follows the head's schedule at --feature-lr-scale of its rate: its lr and the per-group keys
    // schedulers keep (initialLr, and OneCycleLR's maxLr/minLr/momenta) are derived from the head's group.
    // weightDecay and momentum come from the optimizer's defaults.
    const g0 = opt.paramGroups[0]! as Record<string, unknown>;
    const group: Record<string, unknown> = { params: featureParams, lr: (g0.lr as number) * cfg.featureLrScale };
    for (const k of ['initialLr', 'maxLr', 'minLr']) if (typeof g0[k] === 'number') group[k] = (g0[k] as number) * cfg.featureLrScale;
    for (const k of ['baseMomentum', 'maxMomentum']) if (k in g0) group[k] = g0[k];
    opt.addParamGroup(group as any);
    if (scheduler !== null && Array.isArray(scheduler.baseLrs)) scheduler.baseLrs.push(featureLr);
    console.log(`epoch ${epoch}: unfroze ${featureParams.length} feature tensors with opt.addParamGroup (lr ${(group.lr as number).toPrecision(3)}); ` +
      `groups now: ${opt.paramGroups.map((g) => `${g.params.length} params @ lr ${(g.lr as number).toPrecision(3)}, wd ${g.weightDecay}`).join(' | ')}`);
  }
  const s = trainEpoch(model, opt, epoch, cfg.epochs, 'epoch');
  const v = evaluate(model, valLoader);
  const row: EpochStats = { ...s, valLoss: v.loss, valAcc: v.acc };
  history.push(row);
  console.log(`epoch ${String(epoch).padStart(2)}/${cfg.epochs} ${bar(1, 1)} loss ${s.loss.toFixed(4)} acc ${(s.acc * 100).toFixed(1)}% ` +
    `| val loss ${v.loss.toFixed(4)} acc ${(v.acc * 100).toFixed(1)}% | lr ${opt.paramGroups.map((g) => (g.lr as number).toPrecision(3)).join('/')} ` +
    `| grad norm ${s.gradNorm.toFixed(3)} (clip ${cfg.maxNorm}) | ${s.seconds.toFixed(1)} s`);
  if (scheduler !== null) {
    if (cfg.scheduler === 'plateau') scheduler.step(v.acc); else scheduler.step();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Results: test accuracy, tip 4 on one image, metrics CSV and SVG chart

section('Results');
const test = evaluate(model, testLoader);
console.log(`test accuracy ${(test.acc * 100).toFixed(2)}% (${testSet!.length} images never seen in training)`);

section('4. One image through unsqueeze(0)');
const [img, label] = testSet!.getItem(0) as [Tensor, Tensor];
model.eval();
const batch = img.unsqueeze(0); // [1, 8, 8] → [1, 1, 8, 8]: a batch of one
const probs = torch.noGrad(() => model.call(batch).softmax(1));
const pred = probs.argmax(1).item();
console.log(`image shape [${img.shape.join(', ')}] → unsqueeze(0) → [${batch.shape.join(', ')}]; predicted ${pred} ` +
  `(p = ${probs.select(1, pred).item().toFixed(3)}), label ${label.item()}`);
console.log(asciiDigit(img));

const csvPath = path.join(cfg.out, 'metrics.csv');
const svgPath = path.join(cfg.out, 'metrics.svg');
writeFileSync(csvPath, ['epoch,train_loss,train_acc,val_loss,val_acc,lr,grad_norm,seconds',
  ...history.map((h) => [h.epoch, h.loss, h.acc, h.valLoss, h.valAcc, h.lr, h.gradNorm, h.seconds].map((v) => +v.toFixed(6)).join(','))].join('\n') + '\n');
writeFileSync(svgPath, chart(history));
console.log(`\nwrote ${csvPath} and ${svgPath}; total ${((performance.now() - tStart) / 1000).toFixed(1)} s`);
if (test.acc < cfg.minAccuracy) {
  console.error(`test accuracy ${(test.acc * 100).toFixed(2)}% is below the expected ${(cfg.minAccuracy * 100).toFixed(0)}%`);
  process.exit(1);
}

function asciiDigit(t: Tensor): string {
  const v = t.reshape([8, 8]).tolist() as number[][];
  return v.map((row) => '    ' + row.map((x) => ' .:-=+*#%@'[Math.min(9, Math.floor(x * 10))]!.repeat(2)).join('')).join('\n');
}

/** Three stacked line charts (loss, accuracy, learning rate) per epoch as a standalone SVG. */
function chart(h: EpochStats[]): string {
  const W = 640, H = 180, pad = 44;
  const panels: { title: string; series: { name: string; color: string; values: number[] }[]; log?: boolean }[] = [
    { title: 'loss', series: [{ name: 'train', color: '#1f77b4', values: h.map((r) => r.loss) }, { name: 'val', color: '#ff7f0e', values: h.map((r) => r.valLoss) }] },
    { title: 'accuracy', series: [{ name: 'train', color: '#1f77b4', values: h.map((r) => r.acc) }, { name: 'val', color: '#ff7f0e', values: h.map((r) => r.valAcc) }] },
    { title: 'learning rate (head)', series: [{ name: 'lr', color: '#2ca02c', values: h.map((r) => r.lr) }] },
  ];
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H * panels.length}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`];
  panels.forEach((p, i) => {
    const y0 = i * H;
    const all = p.series.flatMap((s) => s.values);
    let lo = Math.min(...all), hi = Math.max(...all);
    if (hi === lo) { hi += 1e-9 + Math.abs(hi) * 0.05; lo -= 1e-9 + Math.abs(lo) * 0.05; }
    const x = (k: number) => pad + (k / Math.max(1, h.length - 1)) * (W - 2 * pad);
    const y = (v: number) => y0 + H - pad / 2 - ((v - lo) / (hi - lo)) * (H - pad);
    parts.push(`<text x="${pad}" y="${y0 + 14}" font-weight="bold">${p.title}</text>`);
    parts.push(`<line x1="${pad}" y1="${y0 + H - pad / 2}" x2="${W - pad}" y2="${y0 + H - pad / 2}" stroke="#999"/>`);
    parts.push(`<line x1="${pad}" y1="${y0 + pad / 2}" x2="${pad}" y2="${y0 + H - pad / 2}" stroke="#999"/>`);
    parts.push(`<text x="4" y="${y(hi) + 4}">${hi.toPrecision(3)}</text><text x="4" y="${y(lo) + 4}">${lo.toPrecision(3)}</text>`);
    p.series.forEach((s, k) => {
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.values.map((v, j) => `${x(j).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`);
      parts.push(`<text x="${W - pad - 60}" y="${y0 + 14 + 12 * k}" fill="${s.color}">${s.name}</text>`);
    });
    parts.push(`<text x="${W / 2}" y="${y0 + H - 4}" text-anchor="middle">epoch</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
