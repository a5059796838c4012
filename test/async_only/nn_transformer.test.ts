// The nn_transformer suite on the async-only backend (see _select.ts and test/_harness.ts).
import './_select.js';
import '../nn_transformer.test.js';
