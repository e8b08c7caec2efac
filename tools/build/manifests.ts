// Reading rendered Kubernetes manifests for the deploy/k8s test: the objects, each container with
// its pod, every Secret and ConfigMap key they reference, and validation of the built-in kinds
// against the Kubernetes schemas (kubernetes-models: the OpenAPI schemas of Kubernetes, compiled by ajv).
import { loadAll } from 'js-yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [field: string]: unknown;
}

export function parseManifests(yaml: string): K8sObject[] {
  return loadAll(yaml).filter((o): o is K8sObject => typeof o === 'object' && o !== null);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- walking untyped YAML */
export interface Workload {
  object: K8sObject;
  pod: any;
  containers: any[];
}

/** Deployments, StatefulSets and Jobs with their pod spec and containers (init containers included). */
export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(o.kind))
    .map((object) => {
      const pod = (object.spec as any).template.spec;
      return { object, pod, containers: [...(pod.initContainers ?? []), ...pod.containers] };
    });
}

export interface KeyRef {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  /** `*` when every key of the object is used (envFrom, a whole volume). */
  key: string;
  from: string;
}

/** kustomize's generated names end with a 10-character hash: the name to document is the one before it. */
export function generatedBaseName(name: string, objects: K8sObject[]): string {
  const m = /^(.*)-[a-z0-9]{10}$/.exec(name);
  return m && objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === name) ? m[1]! : name;
}

export function keyReferences(objects: K8sObject[]): KeyRef[] {
  const refs: KeyRef[] = [];
  const add = (kind: KeyRef['kind'], name: string, key: string, from: string) =>
    refs.push({ kind, name: kind === 'ConfigMap' ? generatedBaseName(name, objects) : name, key, from });
  for (const { object, pod, containers } of workloads(objects)) {
    const from = `${object.kind}/${object.metadata.name}`;
    for (const c of containers) {
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) add('Secret', e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key, from);
        if (e.valueFrom?.configMapKeyRef) add('ConfigMap', e.valueFrom.configMapKeyRef.name, e.valueFrom.configMapKeyRef.key, from);
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) add('Secret', e.secretRef.name, '*', from);
        if (e.configMapRef) add('ConfigMap', e.configMapRef.name, '*', from);
      }
    }
    for (const v of pod.volumes ?? []) {
      if (v.secret) for (const key of v.secret.items?.map((i: any) => i.key) ?? ['*']) add('Secret', v.secret.secretName, key, from);
      if (v.configMap) for (const key of v.configMap.items?.map((i: any) => i.key) ?? ['*']) add('ConfigMap', v.configMap.name, key, from);
    }
  }
  for (const o of objects) {
    const from = `${o.kind}/${o.metadata.name}`;
    const spec = o.spec as any;
    if (o.kind === 'Ingress') for (const t of spec.tls ?? []) for (const key of ['tls.crt', 'tls.key']) add('Secret', t.secretName, key, from);
    if (o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/')) {
      for (const role of spec.managed?.roles ?? [])
        if (role.passwordSecret) for (const key of ['username', 'password']) add('Secret', role.passwordSecret.name, key, from);
      const s3 = spec.backup?.barmanObjectStore?.s3Credentials;
      for (const field of ['accessKeyId', 'secretAccessKey', 'region', 'sessionToken']) if (s3?.[field]) add('Secret', s3[field].name, s3[field].key, from);
    }
  }
  // envFrom a ConfigMap that this render defines: each of its keys, by name.
  return refs.flatMap((r) => {
    if (r.kind !== 'ConfigMap' || r.key !== '*') return [r];
    const cm = objects.find((o) => o.kind === 'ConfigMap' && generatedBaseName(o.metadata.name, objects) === r.name);
    return cm ? Object.keys(cm.data ?? {}).map((key) => ({ ...r, key })) : [r];
  });
}

/** `| \`name\` | \`key\` | ...` rows of the runbook's tables. */
export function documentedKeys(markdown: string): Set<string> {
  const keys = new Set<string>();
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|/.exec(line);
    if (m) keys.add(`${m[1]}/${m[2]}`);
  }
  return keys;
}

/** Built-in kinds (core and *.k8s.io groups, apps, batch, policy, autoscaling): validated against the schemas. */
export function isBuiltIn(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

/** Errors of one object against its Kubernetes schema; throws if the kind has no schema here. */
export function schemaErrors(object: K8sObject): string | undefined {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}/${object.kind}` : `kubernetes-models/${version}/${object.kind}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Model = (require(modulePath) as Record<string, new (data: unknown) => { validate(): void }>)[object.kind];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object).validate();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
