// RuntimeClass presets: handlers, overhead, node scheduling, overrides and name checks.

import { RUNTIME_NODE_LABEL } from '../../../lib/api';
import { buildRuntimeClass, gvisorRuntimeClass, kataRuntimeClass } from '../../../lib/builders';

describe('runtime classes', () => {
  test('gVisor preset: runsc, overhead, scheduled onto gVisor nodes', () => {
    expect(buildRuntimeClass(gvisorRuntimeClass())).toEqual({
      apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor' }, handler: 'runsc',
      overhead: { podFixed: { cpu: '100m', memory: '64Mi' } },
      scheduling: { nodeSelector: { [RUNTIME_NODE_LABEL]: 'gvisor' }, tolerations: [{ key: RUNTIME_NODE_LABEL, operator: 'Equal', value: 'gvisor', effect: 'NoSchedule' }] },
    });
  });

  test.each([['qemu', '160Mi'], ['clh', '130Mi'], ['fc', '130Mi']] as const)('Kata %s preset', (hypervisor, memory) => {
    const rc = buildRuntimeClass(kataRuntimeClass(hypervisor));
    expect([rc.metadata.name, rc.handler, rc.overhead!.podFixed!.memory, rc.scheduling!.nodeSelector]).toEqual([`kata-${hypervisor}`, `kata-${hypervisor}`, memory, { [RUNTIME_NODE_LABEL]: 'kata' }]);
  });

  test('overrides replace preset values; empty scheduling and overhead are left out', () => {
    const rc = buildRuntimeClass(gvisorRuntimeClass({ name: 'gvisor-gke', nodeSelector: { 'sandbox.gke.io/runtime': 'gvisor' }, tolerations: [], overhead: {} }));
    expect(rc).toEqual({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'gvisor-gke' }, handler: 'runsc', scheduling: { nodeSelector: { 'sandbox.gke.io/runtime': 'gvisor' }, tolerations: [] } });
    expect(buildRuntimeClass({ name: 'plain', handler: 'runc' })).toEqual({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'plain' }, handler: 'runc' });
  });

  test('invalid names and handlers are rejected', () => {
    expect(() => buildRuntimeClass({ name: 'GVisor', handler: 'run_sc' })).toThrow(/RuntimeClass GVisor: name "GVisor" must be a DNS-1123 subdomain.*; handler "run_sc" must be a DNS-1123 label/);
  });
});
