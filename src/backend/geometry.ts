/**
 * Window arithmetic shared by every backend and by the frontend fallbacks (pure functions of a `ConvGeometry`, no
 * memory): written once so a kernel and its fallback cannot disagree.
 */
import type { ConvGeometry } from './types.js';

/**
 * PyTorch's avg_pool2d divisor of each output position, row-major over [oh, ow]: the window clipped to
 * [−p, H + p) (`countIncludePad`), or further to the input, or `divisorOverride`.
 */
export function avgPoolDivisors(g: ConvGeometry, countIncludePad: boolean, divisorOverride: number | null): Float64Array {
  const [oh, ow] = g.outSize, [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [H, W] = g.inSize;
  const div = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) {
    let hs = y * sh - ph, ws = xx * sw - pw;
    let he = Math.min(hs + kh, H + ph), we = Math.min(ws + kw, W + pw);
    const poolSize = (he - hs) * (we - ws);
    hs = Math.max(hs, 0); ws = Math.max(ws, 0); he = Math.min(he, H); we = Math.min(we, W);
    div[y * ow + xx] = divisorOverride !== null ? divisorOverride : countIncludePad ? poolSize : (he - hs) * (we - ws);
  }
  return div;
}
