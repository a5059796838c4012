// The optim_lr_scheduler suite on the native backend (see _select.ts); skipped with the reason when the addon is not built.
import { selectNative } from './_select.js';
if (selectNative('optim_lr_scheduler')) await import('../optim_lr_scheduler.test.js');
