/**
 * Cases of the shared suites that fail on the native backend only because a kernel is missing there: test name → the kernel. test/_harness.ts runs these as
 * `todo`, assertions unchanged. Remove an entry as soon as its kernel lands; everything not listed must pass on native.
 * (Keys are test names, so a name shared by the [fused] and [fallback] variants marks both; the passing one reports
 * as a passing todo.)
 */
export const NATIVE_TODO = new Map<string, string>([
]);
