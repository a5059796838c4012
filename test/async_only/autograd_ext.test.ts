// The autograd-extensions / LBFGS-Rprop-ASGD suite on the async-only backend (see _select.ts and test/_harness.ts).
import './_select.js';
import '../autograd_ext.test.js';
