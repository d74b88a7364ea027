// What the manifest scan reads: the synthesized example platform, the SandboxRouter construct with its
// defaults, and the Pods the controller creates for the example templates' warm-pool members.
import { Chart, Testing } from 'cdk8s';
import type { SandboxTemplate, SandboxWarmPool } from '../../../lib/api/types';
import { buildPlatform } from '../../../examples/platform/platform';
import { SandboxRouter } from '../../../lib/cdk8s/sandbox-router';
import { buildPod } from '../../../lib/controller/sandbox/pod';
import { buildMember } from '../../../lib/controller/warm-pool/member';

export type RenderedObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;

/** Every object, in apply order, that a cluster running the example platform and the router would hold. */
export function renderedObjects(): RenderedObject[] {
  const app = Testing.app();
  buildPlatform(app);
  new SandboxRouter(new Chart(app, 'router'), 'router');
  const synthesized = app.charts.flatMap((chart) => chart.toJson()) as RenderedObject[];
  const templates = synthesized.filter((o) => o.kind === 'SandboxTemplate') as unknown as SandboxTemplate[];
  const pods = (synthesized.filter((o) => o.kind === 'SandboxWarmPool') as unknown as SandboxWarmPool[]).map((pool) => {
    const template = templates.find((t) => t.metadata.namespace === pool.metadata.namespace && t.metadata.name === pool.spec.sandboxTemplateRef.name)!;
    const member = buildMember({ ...pool, metadata: { ...pool.metadata, uid: '00000000-0000-0000-0000-000000000000' } }, template, true, `${pool.metadata.name}-member`);
    return buildPod({ ...member, metadata: { ...member.metadata, uid: '00000000-0000-0000-0000-000000000001' } }) as unknown as RenderedObject;
  });
  return [...synthesized, ...pods];
}
