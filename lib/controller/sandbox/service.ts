// The Sandbox's headless Service: ports derived from the pod template's containers (and native sidecars), the
// Service to create, and the merge patch that corrects drift on an owned or adopted Service.
import type { Container, Service, ServicePort } from 'kubernetes-types/core/v1';
import { LABEL } from '../../api/metadata-keys';
import { nameHash } from '../../api/name-hash';
import type { Sandbox } from '../../api/types';
import { controllerRefTo, sandboxOwner, withControllerRef } from '../shared/ownership';

/**
 * Service ports for the pod template: one per distinct (port, protocol) over containers and init containers with
 * `restartPolicy: Always`; the first explicit container-port name not already taken wins, unnamed ports become
 * `p-<port>-<protocol>` (then `-2`, `-3`… on collision); sorted by port then protocol; undefined when none.
 */
export function servicePorts(sandbox: Sandbox): ServicePort[] | undefined {
  const spec = sandbox.spec.podTemplate.spec;
  const containers: Container[] = [...spec.containers, ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  const byKey = new Map<string, { port: number; protocol: string; name?: string }>();
  const taken = new Set<string>();
  for (const port of containers.flatMap((c) => c.ports ?? [])) {
    if (!port.containerPort) continue;
    const protocol = port.protocol ?? 'TCP';
    const key = `${port.containerPort}/${protocol}`;
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { port: port.containerPort, protocol }));
    if (entry.name === undefined && port.name && !taken.has(port.name)) {
      entry.name = port.name;
      taken.add(port.name);
    }
  }
  if (byKey.size === 0) return undefined;
  const sorted = [...byKey.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  return sorted.map((entry) => ({ name: entry.name ?? uniqueName(`p-${entry.port}-${entry.protocol.toLowerCase()}`, taken), port: entry.port, protocol: entry.protocol, targetPort: entry.port }));
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

export function sandboxSelector(sandbox: Sandbox): Record<string, string> {
  return { [LABEL.sandboxNameHash]: nameHash(sandbox.metadata.name ?? '') };
}

export function buildService(sandbox: Sandbox): Service {
  const selector = sandboxSelector(sandbox);
  const ports = servicePorts(sandbox);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: sandbox.metadata.name,
      namespace: sandbox.metadata.namespace,
      labels: selector,
      ownerReferences: [controllerRefTo(sandboxOwner(sandbox))],
    },
    spec: { clusterIP: 'None', selector, ...(ports ? { ports } : {}) },
  };
}

/** True when the Service may be adopted: only headless Services can serve as a sandbox's Service. */
export function isHeadless(service: Service): boolean {
  return !service.spec?.clusterIP || service.spec.clusterIP === 'None';
}

function samePorts(a: ServicePort[] | undefined, b: ServicePort[] | undefined): boolean {
  const norm = (ports: ServicePort[] | undefined) =>
    JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.targetPort ?? p.port]));
  return norm(a) === norm(b);
}

export interface ServicePatchOptions {
  /** Also reconcile ports (only when spec.service is true). */
  ports: boolean;
  /** Take control of an unowned Service. */
  adopt: boolean;
}

/** Merge patch fixing the name-hash label, selector (and ports / ownership when asked); undefined when in line. */
export function servicePatch(service: Service, sandbox: Sandbox, opts: ServicePatchOptions): object | undefined {
  const selector = sandboxSelector(sandbox);
  const [key, value] = Object.entries(selector)[0];
  const metadata: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  if (service.metadata?.labels?.[key] !== value) metadata.labels = selector;
  const currentSelector = service.spec?.selector ?? {};
  if (opts.adopt || Object.keys(currentSelector).length !== 1 || currentSelector[key] !== value) spec.selector = { ...nullAll(currentSelector), ...selector };
  if (opts.ports || opts.adopt) {
    const wanted = servicePorts(sandbox);
    if (!samePorts(service.spec?.ports, wanted)) spec.ports = wanted ?? null;
  }
  if (opts.adopt) metadata.ownerReferences = withControllerRef(service.metadata, sandboxOwner(sandbox));
  if (Object.keys(metadata).length === 0 && Object.keys(spec).length === 0) return undefined;
  return { ...(Object.keys(metadata).length ? { metadata } : {}), ...(Object.keys(spec).length ? { spec } : {}) };
}

function nullAll(map: Record<string, string>): Record<string, null> {
  return Object.fromEntries(Object.keys(map).map((k) => [k, null]));
}
