/** `Upsample`, `UpsamplingNearest2d`, `UpsamplingBilinear2d`, `PixelShuffle`, `PixelUnshuffle`. */
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import { isOptions, pyFloat, resolveArgs } from '../_args.js';
import type { InterpolateMode } from '../functional_vision.js';

/** Options of `Upsample`. */
export interface UpsampleOptions {
  size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null; mode?: InterpolateMode;
  alignCorners?: boolean | null; recomputeScaleFactor?: boolean | null;
}

/**
 * Upsampling layer over `F.interpolate` (`torch.nn.Upsample`): (size, scaleFactor, mode = 'nearest', alignCorners,
 * recomputeScaleFactor), positional or as an options object.
 * @example
 * const up = new torch.nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: false });
 * up.call(torch.randn([1, 3, 4, 4])).shape; // [1, 3, 8, 8]
 */
export class Upsample extends Module {
  size: number | readonly number[] | null;
  scaleFactor: number | readonly number[] | null;
  mode: InterpolateMode;
  alignCorners: boolean | null;
  recomputeScaleFactor: boolean | null;
  constructor(size?: number | readonly number[] | null | UpsampleOptions, scaleFactor?: number | readonly number[] | null, mode?: InterpolateMode,
    alignCorners?: boolean | null, recomputeScaleFactor?: boolean | null) {
    super();
    const o = resolveArgs(new.target.name, [size, scaleFactor, mode, alignCorners, recomputeScaleFactor], {
      size: null as number | readonly number[] | null, scaleFactor: null as number | readonly number[] | null, mode: 'nearest' as InterpolateMode,
      alignCorners: null as boolean | null, recomputeScaleFactor: null as boolean | null,
    });
    this.size = o.size; this.scaleFactor = o.scaleFactor; this.mode = o.mode; this.alignCorners = o.alignCorners; this.recomputeScaleFactor = o.recomputeScaleFactor;
  }
  override forward(input: Tensor): Tensor {
    return F.interpolate(input, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor });
  }
  override extraRepr(): string {
    const tup = (v: readonly number[], f: (x: number) => string): string => (v.length === 1 ? `(${f(v[0]!)},)` : `(${v.map(f).join(', ')})`);
    const s = this.scaleFactor;
    const info = s !== null ? `scale_factor=${typeof s === 'number' ? pyFloat(s) : tup(s, pyFloat)}`
      : `size=${this.size === null ? 'None' : typeof this.size === 'number' ? this.size : tup(this.size, String)}`;
    return `${info}, mode=${this.mode}`;
  }
}

/**
 * Nearest-neighbour 2-D upsampling (`torch.nn.UpsamplingNearest2d`, i.e. `Upsample` with mode 'nearest').
 * @example new torch.nn.UpsamplingNearest2d({ scaleFactor: 2 }).call(torch.randn([1, 1, 2, 2])).shape // [1, 1, 4, 4]
 */
export class UpsamplingNearest2d extends Upsample {
  constructor(size?: number | readonly number[] | null | { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null },
    scaleFactor?: number | readonly number[] | null) {
    const o = isOptions(size) ? resolveArgs('UpsamplingNearest2d', [size], { size: null as number | readonly number[] | null, scaleFactor: null as number | readonly number[] | null })
      : { size: size ?? null, scaleFactor: scaleFactor ?? null };
    super({ size: o.size, scaleFactor: o.scaleFactor, mode: 'nearest' });
  }
}

/**
 * Bilinear 2-D upsampling with aligned corners (`torch.nn.UpsamplingBilinear2d`: `Upsample` with mode
 * 'bilinear', alignCorners true).
 * @example new torch.nn.UpsamplingBilinear2d({ scaleFactor: 2 }).call(torch.randn([1, 1, 2, 2])).shape // [1, 1, 4, 4]
 */
export class UpsamplingBilinear2d extends Upsample {
  constructor(size?: number | readonly number[] | null | { size?: number | readonly number[] | null; scaleFactor?: number | readonly number[] | null },
    scaleFactor?: number | readonly number[] | null) {
    const o = isOptions(size) ? resolveArgs('UpsamplingBilinear2d', [size], { size: null as number | readonly number[] | null, scaleFactor: null as number | readonly number[] | null })
      : { size: size ?? null, scaleFactor: scaleFactor ?? null };
    super({ size: o.size, scaleFactor: o.scaleFactor, mode: 'bilinear', alignCorners: true });
  }
}

/**
 * [*, C·r², H, W] → [*, C, H·r, W·r] (`torch.nn.PixelShuffle`).
 * @example new torch.nn.PixelShuffle(3).call(torch.randn([1, 9, 4, 4])).shape // [1, 1, 12, 12]
 */
export class PixelShuffle extends Module {
  upscaleFactor: number;
  constructor(upscaleFactor: number | { upscaleFactor: number }) {
    super();
    this.upscaleFactor = typeof upscaleFactor === 'number' ? upscaleFactor : upscaleFactor.upscaleFactor;
  }
  override forward(input: Tensor): Tensor { return F.pixelShuffle(input, this.upscaleFactor); }
  override extraRepr(): string { return `upscale_factor=${this.upscaleFactor}`; }
}

/**
 * [*, C, H·r, W·r] → [*, C·r², H, W] (`torch.nn.PixelUnshuffle`).
 * @example new torch.nn.PixelUnshuffle(2).call(torch.randn([1, 1, 4, 4])).shape // [1, 4, 2, 2]
 */
export class PixelUnshuffle extends Module {
  downscaleFactor: number;
  constructor(downscaleFactor: number | { downscaleFactor: number }) {
    super();
    this.downscaleFactor = typeof downscaleFactor === 'number' ? downscaleFactor : downscaleFactor.downscaleFactor;
  }
  override forward(input: Tensor): Tensor { return F.pixelUnshuffle(input, this.downscaleFactor); }
  override extraRepr(): string { return `downscale_factor=${this.downscaleFactor}`; }
}
