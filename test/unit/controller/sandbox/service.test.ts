import type { Container } from 'kubernetes-types/core/v1';
import { LABEL, nameHash } from '../../../../lib/api';
import { buildService, servicePatch, servicePorts } from '../../../../lib/controller/sandbox/service';
import { sandbox } from '../fixtures';

const withContainers = (containers: Container[], initContainers?: Container[]) =>
  sandbox({ podTemplate: { spec: { containers, initContainers } } });

test('servicePorts: dedupe by port+protocol, first free explicit name wins, generated names, sorted, sidecars only', () => {
  const sb = withContainers(
    [
      { name: 'a', ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP', name: 'dns' }, { containerPort: 8080, name: 'http' }] },
      { name: 'b', ports: [{ containerPort: 53, protocol: 'TCP', name: 'dns' }, { containerPort: 0, name: 'zero' }, { containerPort: 9000, name: 'http' }] },
    ],
    [
      { name: 'sidecar', restartPolicy: 'Always', ports: [{ containerPort: 7000 }] },
      { name: 'init', ports: [{ containerPort: 6000, name: 'ignored' }] },
    ],
  );
  expect(servicePorts(sb)).toEqual([
    { name: 'p-53-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
    { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
    { name: 'p-7000-tcp', port: 7000, protocol: 'TCP', targetPort: 7000 },
    { name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 },
    { name: 'p-9000-tcp', port: 9000, protocol: 'TCP', targetPort: 9000 },
  ]);
});

test('servicePorts: generated names get -2, -3 suffixes on collision; no ports gives undefined', () => {
  const sb = withContainers([{ name: 'a', ports: [{ containerPort: 80, name: 'p-81-tcp' }, { containerPort: 81 }, { containerPort: 82, name: 'p-81-tcp-2' }] }]);
  expect(servicePorts(sb)?.map((p) => p.name)).toEqual(['p-81-tcp', 'p-81-tcp-3', 'p-81-tcp-2']);
  expect(servicePorts(withContainers([{ name: 'a' }]))).toBeUndefined();
});

test('buildService: headless, selector and label on the name hash, controller ref', () => {
  const svc = buildService(withContainers([{ name: 'a', ports: [{ containerPort: 8888 }] }]));
  const hash = { [LABEL.sandboxNameHash]: nameHash('box') };
  expect(svc.metadata).toMatchObject({ name: 'box', namespace: 'ns', labels: hash });
  expect(svc.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Sandbox', uid: 'uid-box', controller: true });
  expect(svc.spec).toEqual({ clusterIP: 'None', selector: hash, ports: [{ name: 'p-8888-tcp', port: 8888, protocol: 'TCP', targetPort: 8888 }] });
});

describe('servicePatch', () => {
  const sb = withContainers([{ name: 'a', ports: [{ containerPort: 8888 }] }]);

  test('nothing for a Service that matches', () => {
    expect(servicePatch(buildService(sb), sb, { ports: true, adopt: false })).toBeUndefined();
  });

  test('fixes selector and label; ports only when asked', () => {
    const svc = buildService(sb);
    svc.spec!.selector = { app: 'x' };
    svc.spec!.ports = [];
    svc.metadata!.labels = {};
    const hash = { [LABEL.sandboxNameHash]: nameHash('box') };
    expect(servicePatch(svc, sb, { ports: false, adopt: false })).toEqual({ metadata: { labels: hash }, spec: { selector: { app: null, ...hash } } });
    expect(servicePatch(svc, sb, { ports: true, adopt: false })).toMatchObject({ spec: { ports: [{ port: 8888 }] } });
  });

  test('adoption takes control and overwrites selector and ports', () => {
    const svc = buildService(sb);
    svc.metadata!.ownerReferences = [];
    const patch = servicePatch(svc, sb, { ports: true, adopt: true }) as { metadata: { ownerReferences: unknown[] }; spec: object };
    expect(patch.metadata.ownerReferences).toHaveLength(1);
    expect(patch.spec).toHaveProperty('selector');
  });
});
