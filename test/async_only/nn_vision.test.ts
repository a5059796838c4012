// The nn_vision suite on the async-only backend (see _select.ts and test/_harness.ts).
import './_select.js';
import '../nn_vision.test.js';
