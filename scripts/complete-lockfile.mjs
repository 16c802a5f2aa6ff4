/**
 * Adds lock entries for optional, platform-specific binaries (e.g. `@astrojs/compiler-binding-darwin-arm64`) that
 * `npm install` left out because the registry mirror used here does not serve that exact version. Without them
 * `npm ci` refuses the lock as "out of sync", here and on the public registry alike.
 *
 * Each added entry carries the version its parent pins, `optional: true` and the `os`/`cpu`/`libc` read from the
 * package name, so npm skips it on other platforms and installs it (from the lock's version) where it matches.
 * Run after changing dependencies: `node scripts/complete-lockfile.mjs`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);

const OS_NAMES = { android: 'android', darwin: 'darwin', linux: 'linux', win32: 'win32', windows: 'win32', freebsd: 'freebsd', openbsd: 'openbsd', sunos: 'sunos', aix: 'aix', openharmony: 'openharmony', netbsd: 'netbsd' };
const CPU_NAMES = { arm64: 'arm64', x64: 'x64', arm: 'arm', ia32: 'ia32', wasm32: 'wasm32', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x', mips64el: 'mips64el', 'loongarch64': 'loong64' };

/** Platform constraints from a binary package's name, e.g. `rollup-linux-arm64-musl` -> linux/arm64/musl. */
export function platformOf(packageName) {
  const words = packageName.split('/').pop().split('-');
  const os = words.map((word) => OS_NAMES[word]).find(Boolean);
  const cpu = words.map((word) => CPU_NAMES[word]).find(Boolean);
  const libc = words.includes('musl') ? 'musl' : words.includes('gnu') || words.includes('gnueabihf') ? 'glibc' : undefined;
  return { os, cpu, libc };
}

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;
const added = [];
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location}/node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) {
      console.warn(`skipped ${name}@${spec} (not an exact version)`);
      continue;
    }
    const { os, cpu, libc } = platformOf(name);
    if (!cpu) {
      console.warn(`skipped ${name}@${spec} (cannot tell its platform from the name)`);
      continue;
    }
    packages[hoisted] = { version: spec, optional: true, ...(os ? { os: [os] } : {}), cpu: [cpu], ...(libc ? { libc: [libc] } : {}) };
    added.push(`${name}@${spec}`);
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length === 0 ? 'package-lock.json already complete' : `added ${added.length} optional platform entries:\n  ${added.join('\n  ')}`);
