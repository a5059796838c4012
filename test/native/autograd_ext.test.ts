// The autograd-extensions / LBFGS-Rprop-ASGD suite on the native backend (see _select.ts); skipped with the reason when the addon is not built.
import { selectNative } from './_select.js';
if (selectNative('autograd_ext')) await import('../autograd_ext.test.js');
