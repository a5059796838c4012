/** @internal Message helpers shared by the optimizers, the schedulers and `nn.utils` (Python's number formatting, warnings). */

/** Python's `repr(float)`/`str(float)` for messages: `2.0`, `inf`, `nan`, `1e-05`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e16) {
    const [m, e] = x.toExponential().split('e') as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(x);
}

/** Python's `str()` of a number given by the user: integers print without a decimal point. */
export function pyNum(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  return pyFloat(x);
}

/** Emits a Python-style `UserWarning` through `process.emitWarning` (a spy can replace it in tests). */
export function warn(message: string): void {
  if (typeof process !== 'undefined' && typeof process.emitWarning === 'function') process.emitWarning(message, 'UserWarning');
  else console.warn(`UserWarning: ${message}`);
}
