// The rnn suite on the async-only backend (see _select.ts and test/_harness.ts).
import './_select.js';
import '../rnn.test.js';
