/**
 * Selects the async-only backend for the suites re-run from this folder: imported first by each entry file, it
 * sets `TORCHLET_TEST_BACKEND` before the suite (and through it `test/_harness.ts`) is evaluated, so that one
 * `node --test dist/test/` runs every suite on the portable backend and the listed ones again on async-only,
 * in parallel. (ES modules are evaluated in import order, depth first.)
 */
process.env['TORCHLET_TEST_BACKEND'] = 'async-only';
