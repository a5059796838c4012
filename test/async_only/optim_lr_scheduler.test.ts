// The optim_lr_scheduler suite on the async-only backend (see _select.ts and test/_harness.ts).
import './_select.js';
import '../optim_lr_scheduler.test.js';
