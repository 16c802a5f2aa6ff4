// Runs a command with a Node.js that Astro supports (>= 22.12), so the README's commands work on a machine
// whose default Node is older: there it fetches Node 24 once, through scripts/ensure-node.sh (the same code
// .ci/run uses), and runs the command with that Node first on PATH. Plain JavaScript that Node 18 and 20 can
// run; every npm script goes through it.
//   node scripts/with-node.mjs <command> [args...]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-node.mjs <command> [args...]');
  process.exit(2);
}

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
let env = process.env;
if (major < 22 || (major === 22 && minor < 12)) {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ensure-node.sh');
  const found = spawnSync('bash', ['-c', '. "$0" && handbook_ensure_node && printf %s "$PATH"', script], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (found.status !== 0) process.exit(1);
  env = { ...process.env, PATH: found.stdout };
}

const result = spawnSync(command, args, { env, stdio: 'inherit' });
if (result.error) {
  console.error(`${command}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? (result.signal ? 1 : 0));
