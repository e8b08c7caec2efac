import * as path from 'node:path';
import { loadAdministrativeUnits } from '@childledger/admin-units';
import { kustomize, resolveKubectl } from '../build/kubectl';
import { parseManifests, schemaErrors, workloads, type K8sObject } from '../build/manifests';

/* eslint-disable @typescript-eslint/no-explicit-any -- assertions over rendered YAML */
const root = path.resolve(__dirname, '..', '..');

describe('deploy/k8s/base/jobs: offline matching by province', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = parseManifests(kustomize(path.join(root, 'deploy/k8s/base/jobs'), resolveKubectl()));
  }, 180_000);

  const job = (name: string) => objects.find((o) => o.kind === 'Job' && o.metadata.name === name) as any;
  const args = (name: string) => job(name).spec.template.spec.containers[0].args as string[];

  it('is valid against the Kubernetes schemas', () => {
    for (const o of objects)
      expect({ object: `${o.kind} ${o.metadata.name}`, errors: schemaErrors(o) }).toEqual({ object: `${o.kind} ${o.metadata.name}`, errors: undefined });
  });

  it('runs split, one pod per province (an Indexed Job with a completion per current province), then merge, on one volume', () => {
    const provinces = loadAdministrativeUnits().unitsInForceOn('2025-07-01').provinces.length;
    const partitions = job('childledger-match-partitions');
    expect(partitions.spec.completionMode).toBe('Indexed');
    expect(partitions.spec.completions).toBe(provinces);
    expect(partitions.spec.parallelism).toBeGreaterThan(1);
    for (const [name, step] of [
      ['childledger-match-split', 'split'],
      ['childledger-match-partitions', 'partition'],
      ['childledger-match-merge', 'merge'],
    ] as const) {
      const a = args(name);
      expect(a[0]).toBe('match');
      expect(a[a.indexOf('--partition') + 1]).toBe('province');
      expect(a[a.indexOf('--step') + 1]).toBe(step);
      expect(a[a.indexOf('--work-dir') + 1]).toBe('/data/work');
      // The index comes from the Indexed Job (JOB_COMPLETION_INDEX), never fixed in the manifest.
      expect(a).not.toContain('--partition-index');
      const spec = job(name).spec.template.spec;
      expect(spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName).toBe('childledger-match-data');
      expect(spec.containers[0].image).toMatch(/^childledger\/cli:\d/);
    }
    expect(objects.find((o) => o.kind === 'PersistentVolumeClaim' && (o as any).spec.accessModes.includes('ReadWriteMany'))).toBeDefined();
  });

  it('runs as non-root, read-only, without privilege escalation, with memory limits and no network', () => {
    const all = workloads(objects);
    expect(all).toHaveLength(3);
    for (const { pod, containers } of all) {
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources.limits.memory).toBeDefined();
      }
    }
    const policy = objects.find((o) => o.kind === 'NetworkPolicy') as any;
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress ?? []).toEqual([]);
    expect(policy.spec.egress ?? []).toEqual([]);
  });
});
