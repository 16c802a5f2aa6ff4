/**
 * Builds the real etcd and Kubernetes binaries the verification lab runs, from the consumer Go modules under lab/,
 * into ${HANDBOOK_LAB_CACHE:-~/.cache/handbook-lab}/<name>-<version>/, and prints each binary's own version output.
 *
 * Usage: npm run lab:build [-- --kubernetes] [-- --only etcd-3.6,kubernetes-1.37]
 *   default       every etcd minor in lab/versions.json
 *   --kubernetes  also Kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kubeadm)
 *   --only LIST   exactly the listed <name>-<minor> entries
 *
 * A directory is reused when its stamp file matches the version, the module's go.mod/go.sum, the Go version and
 * this recipe; anything else is rebuilt. Every failure stops the run with a message saying what to do.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_DIR, labBinDir, labCacheDir, readLabVersions } from '../lab/bin-path.mjs';

/** Bump when the build recipe changes in a way that should rebuild every cached directory. */
const RECIPE = 3;
const STAMP = '.lab-build.json';

/** What each product builds: the binaries, and how each reports its version. */
const PRODUCTS = {
  etcd: {
    binaries: ['etcd', 'etcdctl', 'etcdutl'],
    versionArgs: { etcd: ['--version'], etcdctl: ['version'], etcdutl: ['version'] },
    // The version line each binary must print, so a wrong module version cannot pass unnoticed.
    expect: (version) => new RegExp(`(etcd|etcdctl|etcdutl) [Vv]ersion: ${escapeRegExp(version)}\\b`),
  },
  kubernetes: {
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kubeadm'],
    versionArgs: {
      'kube-apiserver': ['--version'],
      'kube-controller-manager': ['--version'],
      'kube-scheduler': ['--version'],
      kubectl: ['version', '--client'],
      kubeadm: ['version', '-o', 'short'],
    },
    expect: (version) => new RegExp(`v${escapeRegExp(version)}\\b`),
  },
};

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fail(message) {
  console.error(`\nlab:build FAILED: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  const options = { kubernetes: false, only: null };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--kubernetes') options.kubernetes = true;
    else if (arg === '--only') options.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg.startsWith('--only=')) options.only = arg.slice('--only='.length).split(',').filter(Boolean);
    else if (arg === '--help' || arg === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
      process.exit(0);
    } else fail(`unknown argument ${arg} (known: --kubernetes, --only etcd-3.6,kubernetes-1.37)`);
  }
  return options;
}

/** Every <name>-<minor> entry of lab/versions.json, in file order. */
function allTargets(versions) {
  const targets = [];
  for (const name of Object.keys(PRODUCTS)) {
    for (const [minor, version] of Object.entries(versions[name] ?? {})) {
      targets.push({ name, minor, version, id: `${name}-${minor}` });
    }
  }
  return targets;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  return result;
}

function goEnv() {
  // GOTOOLCHAIN=local: never download another toolchain; -mod=readonly: a go.sum that does not match go.mod is an
  // error here, not something the build silently rewrites.
  const goflags = [process.env.GOFLAGS ?? '', '-mod=readonly'].join(' ').trim();
  return { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: goflags };
}

function goVersion() {
  const result = run('go', ['env', 'GOVERSION'], { env: goEnv() });
  if (result.status !== 0) {
    fail(`\`go env GOVERSION\` failed (is Go 1.26 installed and on PATH?):\n${result.stderr}`);
  }
  return result.stdout.trim();
}

function moduleDir(target) {
  const dir = path.join(LAB_DIR, target.id);
  for (const file of ['go.mod', 'go.sum']) {
    if (!existsSync(path.join(dir, file))) {
      fail(`${path.relative(process.cwd(), path.join(dir, file))} is missing; create it with \`bash lab/new-module.sh ${target.name} ${target.version}\``);
    }
  }
  const gomod = readFileSync(path.join(dir, 'go.mod'), 'utf8');
  const required = target.name === 'etcd' ? `go.etcd.io/etcd/server/v3 v${target.version}` : `k8s.io/kubernetes v${target.version}`;
  if (!gomod.includes(required)) {
    fail(`lab/versions.json says ${target.name} ${target.version} but ${target.id}/go.mod does not require ${required}; regenerate it with \`bash lab/new-module.sh ${target.name} ${target.version}\``);
  }
  return dir;
}

function stampKey(target, dir, go) {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ recipe: RECIPE, version: target.version, go }));
  for (const file of ['go.mod', 'go.sum']) hash.update(readFileSync(path.join(dir, file)));
  return hash.digest('hex');
}

function isComplete(outDir, binaries, key) {
  const stampFile = path.join(outDir, STAMP);
  if (!existsSync(stampFile)) return false;
  try {
    if (JSON.parse(readFileSync(stampFile, 'utf8')).key !== key) return false;
  } catch {
    return false;
  }
  return binaries.every((binary) => {
    const file = path.join(outDir, binary);
    return existsSync(file) && (statSync(file).mode & 0o111) !== 0;
  });
}

/** Module metadata from the module cache / proxy: release time, and the commit if the proxy recorded its origin. */
function moduleInfo(dir, modulePath, version) {
  const result = run('go', ['mod', 'download', '-json', `${modulePath}@v${version}`], { cwd: dir, env: goEnv() });
  if (result.status !== 0) fail(`go mod download ${modulePath}@v${version} failed:\n${result.stdout}${result.stderr}`);
  const info = JSON.parse(result.stdout);
  let time = null;
  if (info.Info && existsSync(info.Info)) time = JSON.parse(readFileSync(info.Info, 'utf8')).Time ?? null;
  return { commit: info.Origin?.Hash ?? null, time };
}

function ldflags(target, dir) {
  if (target.name === 'etcd') {
    const { commit } = moduleInfo(dir, 'go.etcd.io/etcd/server/v3', target.version);
    // Without a recorded origin the binaries keep etcd's own "Not provided" Git SHA rather than an invented one.
    return commit ? [`-X=go.etcd.io/etcd/api/v3/version.GitSHA=${commit.slice(0, 7)}`] : [];
  }
  const { commit, time } = moduleInfo(dir, 'k8s.io/kubernetes', target.version);
  const [major, minor] = target.version.split('.');
  // The variables Kubernetes' own hack/lib/version.sh sets; unstamped, gitVersion is v0.0.0-master+$Format:%H$,
  // which kubeadm cannot parse. buildDate is the release time, so two builds of one version are identical.
  const values = {
    gitVersion: `v${target.version}`,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: 'clean',
    buildDate: time ?? '1970-01-01T00:00:00Z',
  };
  if (commit) values.gitCommit = commit;
  const flags = [];
  for (const [name, value] of Object.entries(values)) {
    flags.push(`-X=k8s.io/component-base/version.${name}=${value}`, `-X=k8s.io/client-go/pkg/version.${name}=${value}`);
  }
  return flags;
}

function goBuild(dir, args, label) {
  console.log(`  go build ${label}`);
  const result = spawnSync('go', ['build', '-trimpath', ...args], { cwd: dir, env: goEnv(), stdio: 'inherit' });
  if (result.error) fail(`could not run go build: ${result.error.message}`);
  if (result.status !== 0) fail(`go build ${label} failed (exit ${result.status}); see the output above`);
}

function build(target, dir, outDir) {
  const tmpDir = path.join(outDir, `.build-${process.pid}`);
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  const download = run('go', ['mod', 'download'], { cwd: dir, env: goEnv(), stdio: 'inherit' });
  if (download.status !== 0) fail(`go mod download in ${dir} failed (exit ${download.status})`);
  const flags = ldflags(target, dir);
  const ld = flags.length > 0 ? ['-ldflags', flags.join(' ')] : [];
  if (target.name === 'etcd') {
    // The server's package path ends in /v3, which go build would name "v3" or "server"; name it explicitly.
    goBuild(dir, [...ld, '-o', path.join(tmpDir, 'etcd'), 'go.etcd.io/etcd/server/v3'], 'etcd');
    goBuild(dir, [...ld, '-o', path.join(tmpDir, 'etcdctl'), 'go.etcd.io/etcd/etcdctl/v3'], 'etcdctl');
    goBuild(dir, [...ld, '-o', path.join(tmpDir, 'etcdutl'), 'go.etcd.io/etcd/etcdutl/v3'], 'etcdutl');
  } else {
    const packages = PRODUCTS.kubernetes.binaries.map((binary) => `k8s.io/kubernetes/cmd/${binary}`);
    goBuild(dir, [...ld, '-o', `${tmpDir}${path.sep}`, ...packages], PRODUCTS.kubernetes.binaries.join(' '));
  }
  // Rename each binary into place (atomic per file; a process already running the old one keeps its copy), then
  // write the stamp last so an interrupted build is never taken for a complete one.
  rmSync(path.join(outDir, STAMP), { force: true });
  for (const binary of PRODUCTS[target.name].binaries) {
    const built = path.join(tmpDir, binary);
    if (!existsSync(built)) fail(`go build did not produce ${binary} for ${target.id}`);
    chmodSync(built, 0o755);
    renameSync(built, path.join(outDir, binary));
  }
  rmSync(tmpDir, { recursive: true, force: true });
}

function printVersions(target, outDir) {
  const product = PRODUCTS[target.name];
  const expected = product.expect(target.version);
  for (const binary of product.binaries) {
    const args = product.versionArgs[binary];
    const result = run(path.join(outDir, binary), args);
    const output = `${result.stdout}${result.stderr}`.trim();
    console.log(`  $ ${binary} ${args.join(' ')}\n${output.replace(/^/gm, '    ')}`);
    if (result.status !== 0 || !expected.test(output)) {
      fail(`${path.join(outDir, binary)} ${args.join(' ')} did not report ${target.version} (exit ${result.status}); delete ${outDir} and run lab:build again`);
    }
  }
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const versions = readLabVersions();
  const targets = allTargets(versions);
  let selected;
  if (options.only) {
    const unknown = options.only.filter((id) => !targets.some((target) => target.id === id));
    if (unknown.length > 0) fail(`--only names ${unknown.join(', ')}, not in lab/versions.json (known: ${targets.map((t) => t.id).join(', ')})`);
    selected = targets.filter((target) => options.only.includes(target.id));
  } else {
    selected = targets.filter((target) => target.name === 'etcd' || (options.kubernetes && target.name === 'kubernetes'));
  }
  const go = goVersion();
  console.log(`lab:build: ${go}, cache ${labCacheDir()}`);
  for (const target of selected) {
    const started = process.hrtime.bigint();
    const dir = moduleDir(target);
    const outDir = labBinDir(target.name, target.minor);
    const key = stampKey(target, dir, go);
    const reused = isComplete(outDir, PRODUCTS[target.name].binaries, key);
    console.log(`\n${target.name} ${target.version}: ${reused ? 'cached' : 'building'} in ${outDir}`);
    if (!reused) {
      mkdirSync(outDir, { recursive: true });
      build(target, dir, outDir);
      writeFileSync(
        path.join(outDir, STAMP),
        `${JSON.stringify({ key, name: target.name, version: target.version, go, recipe: RECIPE, builtAt: new Date().toISOString() }, null, 2)}\n`,
      );
    }
    printVersions(target, outDir);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`  ${target.name} ${target.version}: ${reused ? 'reused' : 'built'} in ${seconds.toFixed(1)} s`);
  }
  const skipped = targets.filter((target) => !selected.includes(target));
  if (skipped.length > 0) {
    console.log(`\nNot built this run (ask for them with --kubernetes or --only): ${skipped.map((t) => `${t.name} ${t.version}`).join(', ')}`);
  }
}

main();
