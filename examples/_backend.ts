/**
 * Imported by the demo before torchlet, so that its `--backend native|portable` option can choose what serves `cpu`:
 * torchlet registers that backend from `TORCHLET_BACKEND` when its index module is evaluated (ES modules are
 * evaluated in import order). Without the option the demo uses the native backend when it is built (an explicit
 * `TORCHLET_BACKEND` in the environment still wins), and the portable one otherwise.
 */
import { isAvailable, reason } from '../src/backend/native/index.js';

function option(): string | undefined {
  const argv = process.argv;
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--backend') return argv[i + 1] ?? '';
    if (argv[i]!.startsWith('--backend=')) return argv[i]!.slice('--backend='.length);
  }
  return undefined;
}

const asked = option();
if (asked !== undefined && asked !== 'native' && asked !== 'portable') {
  console.error(`--backend must be 'native' or 'portable', got '${asked}'`);
  process.exit(2);
}
if (asked === 'native' && !isAvailable()) {
  console.error(`--backend native: the native backend is unavailable: ${reason()}`);
  process.exit(2);
}
const env = process.env['TORCHLET_BACKEND'];
if (asked !== undefined) process.env['TORCHLET_BACKEND'] = asked;
else if (!env) process.env['TORCHLET_BACKEND'] = 'auto';
const choice = process.env['TORCHLET_BACKEND'];

/** What serves `cpu` in this run. */
export const servingBackend: 'native' | 'portable' = choice === 'native' || (choice === 'auto' && isAvailable()) ? 'native' : 'portable';
/** Why the native backend is not serving (null when it is). */
export const nativeReason: string | null = servingBackend === 'native' ? null : isAvailable() ? `${asked !== undefined ? '--backend' : 'TORCHLET_BACKEND='}${choice} chose portable` : reason();
