/**
 * The UCI optical-recognition-of-handwritten-digits set as scikit-learn distributes it (`load_digits()`): 1797 8×8
 * images with pixel values 0..16 and labels 0..9, shipped in the repository as data/digits.json (exported by
 * scripts/export_digits.py; source and licence in data/README.md). Nothing is fetched.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../tensor.js';
import { tensor } from '../ops.js';

/** The digits set: `images` float32 `[1797, 1, 8, 8]` in [0, 1] (pixel / 16), `labels` int64 `[1797]` in 0..9. */
export interface Digits { images: Tensor; labels: Tensor }

/** Where the data file lives: `data/digits.json` at the repository root. */
export const DIGITS_PATH: string = fileURLToPath(new URL('../../../data/digits.json', import.meta.url));

/**
 * Loads the digits set from `data/digits.json` (or `path`), checking its size, value ranges and SHA-256.
 * Each call returns fresh tensors.
 * @example
 * import * as torch from 'torchlet';
 * const { images, labels } = torch.datasets.loadDigits();
 * images.shape; // [1797, 1, 8, 8]
 * labels.dtype; // 'int64'
 */
export function loadDigits(path: string | URL = DIGITS_PATH): Digits {
  const file = path instanceof URL ? fileURLToPath(path) : path;
  let doc: any;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`loadDigits: cannot read ${file}: ${(e as Error).message}`);
  }
  const { count, height, width, maxValue } = doc ?? {};
  if (!Number.isInteger(count) || !Number.isInteger(height) || !Number.isInteger(width) || typeof doc.images !== 'string' || typeof doc.labels !== 'string') {
    throw new Error(`loadDigits: ${file} is not a digits file (missing count/height/width/images/labels)`);
  }
  const img = Buffer.from(doc.images, 'base64');
  const lab = Buffer.from(doc.labels, 'base64');
  if (img.length !== count * height * width || lab.length !== count) {
    throw new Error(`loadDigits: ${file}: expected ${count * height * width} image bytes and ${count} labels, got ${img.length} and ${lab.length}`);
  }
  if (typeof doc.sha256 === 'string') {
    const h = createHash('sha256').update(img).update(lab).digest('hex');
    if (h !== doc.sha256) throw new Error(`loadDigits: ${file}: checksum mismatch (file corrupted): expected ${doc.sha256}, got ${h}`);
  }
  const scale = 1 / (maxValue ?? 16);
  const pixels = new Float32Array(img.length);
  for (let i = 0; i < img.length; i++) {
    if (img[i]! > (maxValue ?? 16)) throw new Error(`loadDigits: ${file}: pixel ${i} is ${img[i]}, above ${maxValue ?? 16}`);
    pixels[i] = img[i]! * scale;
  }
  const labels = new Float64Array(lab.length);
  for (let i = 0; i < lab.length; i++) {
    if (lab[i]! > 9) throw new Error(`loadDigits: ${file}: label ${i} is ${lab[i]}, outside 0..9`);
    labels[i] = lab[i]!;
  }
  return {
    images: tensor(pixels, { dtype: 'float32' }).reshape([count, 1, height, width]),
    labels: tensor(labels, { dtype: 'int64' }),
  };
}
