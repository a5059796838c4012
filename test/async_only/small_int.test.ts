// The small-integer dtype suite on the async-only backend (see _select.ts and test/_harness.ts).
import './_select.js';
import '../small_int.test.js';
