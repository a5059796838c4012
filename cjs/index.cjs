// `require('torchlet')` on a Node.js that cannot require ES modules lands here (the package's "require" export
// condition; Node.js versions that can require ES modules take the "module-sync" condition first and load the ES
// module itself). torchlet is an ES module package: say so, and how to load it.
'use strict';
const err = new Error(
  "torchlet is an ES module package and this Node.js (" + process.version + ") does not require() ES modules. " +
  "Use `import * as torch from 'torchlet'` (or `const torch = await import('torchlet')` from CommonJS), " +
  'or run Node.js >= 20.19 / >= 22.12 (without --no-experimental-require-module), where require() loads ES modules.');
err.code = 'ERR_REQUIRE_ESM';
throw err;
