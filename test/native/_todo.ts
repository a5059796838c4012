/**
 * Cases of the shared suites that fail on the native backend only because a kernel is missing there (the native
 * kernels are being completed in parallel): test name → the kernel. test/_harness.ts runs these as `todo`.
 * Remove an entry as soon as its kernel lands; everything not listed must pass on native.
 */
export const NATIVE_TODO = new Map<string, string>([
]);
