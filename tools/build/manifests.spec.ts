import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePartnersDocument } from '@childledger/partner-streams';
import { standaloneConfigProblems } from '@childledger/platform';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { kustomize, resolveKubectl } from './kubectl';
import { documentedKeys, isBuiltIn, K8sObject, keyReferences, parseManifests, schemaErrors, workloads } from './manifests';
import { SERVICES } from './services';

/* eslint-disable @typescript-eslint/no-explicit-any -- assertions over rendered YAML */
const root = path.resolve(__dirname, '..', '..');
const OVERLAYS = ['dev', 'prod'] as const;
const CUSTOM_KINDS = new Set([
  'postgresql.cnpg.io/v1 Cluster',
  'postgresql.cnpg.io/v1 ScheduledBackup',
  'kafka.strimzi.io/v1beta2 Kafka',
  'kafka.strimzi.io/v1beta2 KafkaNodePool',
  'kafka.strimzi.io/v1beta2 KafkaTopic',
  'kafka.strimzi.io/v1beta2 KafkaUser',
]);

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('deploy/k8s overlays', () => {
  const rendered: Record<string, K8sObject[]> = {};
  const runbook = readFileSync(path.join(root, 'docs/runbooks/deploy.md'), 'utf8');

  beforeAll(() => {
    const kubectl = resolveKubectl();
    for (const overlay of OVERLAYS) rendered[overlay] = parseManifests(kustomize(path.join(root, 'deploy/k8s/overlays', overlay), kubectl));
  }, 180_000);

  describe.each(OVERLAYS)('%s', (overlay) => {
    const objects = () => rendered[overlay]!;

    it('has a Deployment, Service and PodDisruptionBudget for every service and the console, and the migration Job', () => {
      const expected = [...Object.keys(SERVICES).filter((s) => overlay === 'dev' || SERVICES[s]!.kind !== 'sandbox'), 'console'];
      for (const name of expected) {
        expect({ name, deployment: !!find(objects(), 'Deployment', name) }).toEqual({ name, deployment: true });
        expect({ name, service: !!find(objects(), 'Service', name) }).toEqual({ name, service: true });
        expect({ name, pdb: !!find(objects(), 'PodDisruptionBudget', name) }).toEqual({ name, pdb: true });
      }
      if (overlay === 'prod') expect(find(objects(), 'Deployment', 'population-registry-sandbox')).toBeUndefined();
      const job = find(objects(), 'Job', 'childledger-migrate') as any;
      expect(job.spec.template.spec.containers[0].command).toEqual(['node', 'migrate.js']);
      expect(job.spec.template.spec.containers[0].image).toMatch(/^childledger\/registry-api:/);
    });

    it('listens on each service’s port variable, with startup, liveness and readiness probes on its health routes', () => {
      for (const [name, info] of Object.entries(SERVICES)) {
        const d = find(objects(), 'Deployment', name) as any;
        if (!d) continue;
        const c = d.spec.template.spec.containers[0];
        expect({ name, port: c.ports[0].containerPort, env: c.env.find((e: any) => e.name === info.portVariable)?.value }).toEqual({
          name,
          port: info.port,
          env: String(info.port),
        });
        expect({ name, live: c.livenessProbe?.httpGet?.path, ready: c.readinessProbe?.httpGet?.path, startup: !!c.startupProbe }).toEqual({
          name,
          live: '/health/live',
          ready: '/health/ready',
          startup: true,
        });
      }
      for (const { object, containers } of workloads(objects()).filter((w) => w.object.kind !== 'Job')) {
        for (const c of containers)
          expect({ workload: object.metadata.name, liveness: !!c.livenessProbe, readiness: !!c.readinessProbe }).toEqual({
            workload: object.metadata.name,
            liveness: true,
            readiness: true,
          });
      }
    });

    it('runs every container as non-root, read-only, without privilege escalation, with resources and a pinned image', () => {
      const all = workloads(objects());
      expect(all.length).toBeGreaterThanOrEqual(8);
      for (const { object, pod, containers } of all) {
        for (const c of containers) {
          const who = `${object.kind}/${object.metadata.name}/${c.name}`;
          expect({ who, runAsNonRoot: c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot }).toEqual({ who, runAsNonRoot: true });
          expect({
            who,
            readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem,
            allowPrivilegeEscalation: c.securityContext?.allowPrivilegeEscalation,
            drop: c.securityContext?.capabilities?.drop,
          }).toEqual({ who, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, drop: ['ALL'] });
          expect({ who, cpu: !!c.resources?.requests?.cpu, memory: !!c.resources?.requests?.memory, limit: !!c.resources?.limits?.memory }).toEqual({
            who,
            cpu: true,
            memory: true,
            limit: true,
          });
          // A tag or a digest, never :latest and never none (which means latest).
          expect({ who, image: c.image }).toEqual({ who, image: expect.stringMatching(/^[^:@]+(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/) });
          expect(c.image).not.toMatch(/:latest$/);
        }
        expect(pod.automountServiceAccountToken ?? false).toBe(false);
      }
      expect(JSON.stringify(objects())).not.toContain(':latest');
    });

    it('scales the HTTP APIs with an HPA, and runs each subscription worker once, recreated, never autoscaled', () => {
      const hpaTargets = objects()
        .filter((o) => o.kind === 'HorizontalPodAutoscaler')
        .map((o) => (o.spec as any).scaleTargetRef.name);
      for (const [name, info] of Object.entries(SERVICES)) {
        const d = find(objects(), 'Deployment', name) as any;
        if (!d) continue;
        if (info.kind === 'api') expect({ name, hpa: hpaTargets.includes(name) }).toEqual({ name, hpa: true });
        if (info.kind === 'worker') {
          expect({ name, replicas: d.spec.replicas, strategy: d.spec.strategy.type, hpa: hpaTargets.includes(name) }).toEqual({
            name,
            replicas: 1,
            strategy: 'Recreate',
            hpa: false,
          });
        }
      }
      expect(hpaTargets).toContain('console');
    });

    it('points the identity adapter at a national database it accepts: https://, or the sandbox declared as such (dev only)', () => {
      const config = objects().find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('childledger-config')) as any;
      const env = { ...config.data, DATABASE_URL: 'postgres://x', NATIONAL_REGISTRY_CLIENT_SECRET: 'from-the-secret' };
      expect(standaloneConfigProblems('identity-adapter', env).filter((p) => p.startsWith('NATIONAL_REGISTRY'))).toEqual([]);
      if (overlay === 'prod') {
        expect(config.data.NATIONAL_REGISTRY_SANDBOX).toBeUndefined();
        expect(config.data.NATIONAL_REGISTRY_URL).toMatch(/^https:\/\//);
      } else expect(config.data.NATIONAL_REGISTRY_SANDBOX).toBe('true');
    });

    it('documents every Secret and ConfigMap key it references in docs/runbooks/deploy.md, and commits no Secret', () => {
      const documented = documentedKeys(runbook);
      const refs = keyReferences(objects());
      expect(refs.length).toBeGreaterThan(10);
      const missing = refs.filter((r) => !documented.has(`${r.name}/${r.key}`)).map((r) => `${r.kind} ${r.name} key ${r.key}`);
      expect([...new Set(missing)]).toEqual([]);
      expect(objects().filter((o) => o.kind === 'Secret')).toEqual([]);
    });

    it('validates every built-in object against the Kubernetes schemas and knows every custom kind', () => {
      const problems: string[] = [];
      for (const o of objects()) {
        if (isBuiltIn(o.apiVersion)) {
          const error = schemaErrors(o);
          if (error) problems.push(`${o.kind}/${o.metadata.name}: ${error}`);
        } else if (!CUSTOM_KINDS.has(`${o.apiVersion} ${o.kind}`)) problems.push(`${o.apiVersion} ${o.kind}: not a kind this test knows`);
      }
      expect(problems).toEqual([]);
    });

    it('gives each Kafka partner its topic (compacted, for tombstones) and a user that may read only that topic', () => {
      const cm = objects().find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('childledger-partners-'))!;
      const partners = parsePartnersDocument(JSON.parse(cm.data!['partners.json']!));
      const kafkaPartners = partners.filter((p) => p.channels.includes('kafka'));
      expect(kafkaPartners.length).toBeGreaterThan(0);
      for (const p of kafkaPartners) {
        const topicName = `childledger.partner.${p.id}.v1`;
        const topic = objects().find((o) => o.kind === 'KafkaTopic' && (o.spec as any).topicName === topicName) as any;
        expect({ topicName, found: !!topic }).toEqual({ topicName, found: true });
        expect(topic.spec.config['cleanup.policy']).toContain('compact');
        if (overlay === 'prod') expect({ replicas: topic.spec.replicas, minIsr: topic.spec.config['min.insync.replicas'] }).toEqual({ replicas: 3, minIsr: 2 });
        const user = find(objects(), 'KafkaUser', `partner-${p.id}`) as any;
        expect(['tls', 'scram-sha-512']).toContain(user.spec.authentication.type);
        const topics = user.spec.authorization.acls.filter((a: any) => a.resource.type === 'topic');
        expect(topics).toEqual([{ resource: { type: 'topic', name: topicName, patternType: 'literal' }, operations: ['Read', 'Describe'] }]);
      }
      const gateway = find(objects(), 'KafkaUser', 'childledger-stream-gateway') as any;
      expect(gateway.spec.authentication.type).toBe('scram-sha-512');
    });

    it('puts PostgreSQL on CloudNativePG with backups and the runtime role, and routes the console and the APIs on one host', () => {
      const cluster = find(objects(), 'Cluster', 'childledger-db') as any;
      expect(cluster.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
      expect(cluster.spec.managed.roles.map((r: any) => r.name)).toContain('childledger_runtime');
      expect(find(objects(), 'ScheduledBackup', 'childledger-db-daily')).toBeDefined();
      if (overlay === 'prod') {
        expect(cluster.spec.instances).toBe(3);
        expect((find(objects(), 'StatefulSet', 'eventstoredb') as any).spec.replicas).toBe(3);
      }
      const ingresses = objects().filter((o) => o.kind === 'Ingress');
      const routes = ingresses.flatMap((i: any) =>
        i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => ({ host: r.host, service: p.backend.service.name }))),
      );
      const consoleHost = routes.find((r) => r.service === 'console')!.host;
      expect(
        routes
          .filter((r) => r.host === consoleHost)
          .map((r) => r.service)
          .sort(),
        // The console's origin also carries the gateway's partner administration (/gateway, the Administration screen).
      ).toEqual(['console', 'query-api', 'registry-api', 'stream-gateway']);
      expect(routes.some((r) => r.service === 'stream-gateway')).toBe(true);
      expect(objects().some((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-ingress')).toBe(true);
    });
  });

  it('keeps Secrets out of deploy/: no file there defines one', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const offenders = files(path.join(root, 'deploy')).filter((f) => /^kind:\s*Secret\s*$/m.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('deploy/compose.yml', () => {
  const read = (file: string) => load(readFileSync(path.join(root, 'deploy', file), 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as any;
  const compose = read('compose.yml');
  const kafka = read('compose.kafka.yml').services.kafka.environment;

  it('runs every service from its image, after the migration step, on its port variable', () => {
    for (const [name, info] of Object.entries(SERVICES)) {
      const s = compose.services[name];
      expect({ name, image: s?.image }).toEqual({ name, image: `childledger/${name}:\${CHILDLEDGER_TAG:-dev}` });
      expect({ name, port: s.environment[info.portVariable] }).toEqual({ name, port: info.port });
      expect(s.depends_on.migrate.condition).toBe('service_completed_successfully');
    }
    expect(compose.services.migrate.entrypoint).toEqual(['node', 'migrate.js']);
  });

  it("lets the identity adapter reach the sandbox over compose's network only because it is declared the sandbox", () => {
    const env = { ...compose.services['identity-adapter'].environment, DATABASE_URL: 'postgres://x', NATIONAL_REGISTRY_CLIENT_SECRET: 'from-the-env' };
    expect(env.NATIONAL_REGISTRY_SANDBOX).toBe('true');
    expect(standaloneConfigProblems('identity-adapter', env).filter((p) => p.startsWith('NATIONAL_REGISTRY'))).toEqual([]);
    expect(
      standaloneConfigProblems('identity-adapter', { ...env, NATIONAL_REGISTRY_SANDBOX: undefined }).filter((p) => p.startsWith('NATIONAL_REGISTRY')),
    ).toEqual([expect.stringMatching(/^NATIONAL_REGISTRY_URL: must be an https/)]);
  });

  it('points the services at the broker address Kafka advertises to containers', () => {
    const advertised = Object.fromEntries(
      String(kafka.KAFKA_ADVERTISED_LISTENERS)
        .split(',')
        .map((l) => l.split('://') as [string, string]),
    );
    expect(compose.services['registry-api'].environment.KAFKA_BROKERS).toBe(advertised['INTERNAL']);
    expect(advertised['EXTERNAL']).toBe('localhost:9092');
    expect(String(kafka.KAFKA_LISTENERS)).toContain(`INTERNAL://:${advertised['INTERNAL']!.split(':')[1]}`);
    expect(compose.services['kafka-topics'].command.join(' ')).toContain('cleanup.policy=compact');
  });
});
