// Wiring of the SandboxClaim controller: cache indexes and the watch events that enqueue claims (claims themselves,
// their Sandboxes on relevant changes, pool members waking waiting claims, pools/templates appearing for claims stuck
// at WarmPoolNotFound/TemplateNotFound, templates whose NetworkPolicy came into place for claims at
// NetworkPolicyNotReady), and the module the manager sets up.
import { CONDITION } from '../../api/conditions';
import { SANDBOX_CLAIM } from '../../api/groups';
import type { Sandbox, SandboxClaim, SandboxTemplate, SandboxWarmPool } from '../../api/types';
import { noopEventRecorder } from '../../controller-runtime/event-recorder';
import type { BurstGate } from '../burst-gate';
import type { ControllerModule } from '../module';
import { Resources } from '../../kube/resources';
import { objectKey, type KubeObject } from '../../kube/types';
import { sandboxClaimIndex, SANDBOX_BY_CLAIM_INDEX } from './bindings';
import { controllingPool, sandboxPoolIndex, SANDBOX_BY_POOL_INDEX } from './candidates';
import type { CachedReader } from './deps';
import { loadAllowedLabelDomains } from './pod-metadata';
import { ClaimReconciler } from './reconciler';
import { findCondition } from '../shared/condition-list';
import { networkPolicyGate } from '../shared/network-policy-gate';

/** An informer as the claim controller uses it (structurally the runtime's Informer). */
export interface WatchedCache<T extends KubeObject> extends CachedReader<T> {
  addIndex(name: string, fn: (obj: T) => string[]): void;
  addEventHandler(handlers: { onAdd?(obj: T): void; onUpdate?(oldObj: T, newObj: T): void; onDelete?(obj: T): void }): void;
}

export interface ClaimInformers {
  claims: WatchedCache<SandboxClaim>;
  sandboxes: WatchedCache<Sandbox>;
  pools: WatchedCache<SandboxWarmPool>;
  templates: WatchedCache<SandboxTemplate>;
}

export const CLAIM_BY_POOL_INDEX = 'claim:warm-pool-ref';
export const POOL_BY_TEMPLATE_INDEX = 'claim:template-ref';

/** Indexes the claim reconciler reads; call before the informers start. */
export function addClaimIndexes(informers: ClaimInformers): void {
  informers.sandboxes.addIndex(SANDBOX_BY_POOL_INDEX, sandboxPoolIndex);
  informers.sandboxes.addIndex(SANDBOX_BY_CLAIM_INDEX, sandboxClaimIndex);
  informers.claims.addIndex(CLAIM_BY_POOL_INDEX, (c) => [`${c.metadata.namespace}/${c.spec.warmPoolRef.name}`]);
  informers.pools.addIndex(POOL_BY_TEMPLATE_INDEX, (p) => [`${p.metadata.namespace}/${p.spec.sandboxTemplateRef.name}`]);
}

/** Name of the claim that controls `sandbox`, if any. */
function controllingClaim(sandbox: Sandbox): string | undefined {
  const ref = sandbox.metadata.ownerReferences?.find((r) => r.controller);
  return ref && ref.kind === SANDBOX_CLAIM.kind && ref.apiVersion.split('/')[0] === SANDBOX_CLAIM.group ? ref.name : undefined;
}

/** Does a Sandbox update matter to its claim? (deletion, pod IPs, Ready, Finished, ActionsCompleted or action results changed) */
function claimRelevantChange(a: Sandbox, b: Sandbox): boolean {
  const same = (type: string) => JSON.stringify(findCondition(a.status?.conditions, type)) === JSON.stringify(findCondition(b.status?.conditions, type));
  return Boolean(a.metadata.deletionTimestamp) !== Boolean(b.metadata.deletionTimestamp)
    || JSON.stringify(a.status?.podIPs ?? []) !== JSON.stringify(b.status?.podIPs ?? [])
    || JSON.stringify(a.status?.actions ?? []) !== JSON.stringify(b.status?.actions ?? [])
    || !same(CONDITION.ready) || !same(CONDITION.finished) || !same(CONDITION.actionsCompleted);
}

/** Registers the event handlers that feed `queue`; a new claim still to be served marks a burst on `burstGate`. */
export function watchForClaims(informers: ClaimInformers, queue: { add(key: string): void }, reconciler: ClaimReconciler, burstGate: BurstGate): void {
  informers.claims.addEventHandler({
    onAdd: (claim) => {
      if (!claim.status?.sandbox?.name && !claim.metadata.deletionTimestamp) burstGate.claimArrived();
      reconciler.observeClaim(claim);
      queue.add(objectKey(claim));
    },
    onUpdate: (_old, claim) => { reconciler.observeClaim(claim); queue.add(objectKey(claim)); },
    onDelete: (claim) => reconciler.forgetClaim(claim),
  });

  const onSandbox = (old: Sandbox | undefined, sandbox: Sandbox, deleted: boolean) => {
    reconciler.observeSandbox(sandbox, deleted);
    const namespace = sandbox.metadata.namespace!;
    for (const pool of new Set([old && controllingPool(old), controllingPool(sandbox)])) {
      if (pool) reconciler.wakeWaiters(namespace, pool);
    }
    const claim = controllingClaim(sandbox);
    if (claim && (!old || deleted || claimRelevantChange(old, sandbox))) queue.add(`${namespace}/${claim}`);
  };
  informers.sandboxes.addEventHandler({
    onAdd: (s) => onSandbox(undefined, s, false),
    onUpdate: (old, s) => onSandbox(old, s, false),
    onDelete: (s) => onSandbox(undefined, s, true),
  });

  const enqueueUnboundClaims = (namespace: string, pool: string) => {
    for (const claim of informers.claims.byIndex(CLAIM_BY_POOL_INDEX, `${namespace}/${pool}`)) {
      if (!claim.status?.sandbox?.name && !claim.metadata.deletionTimestamp) queue.add(objectKey(claim));
    }
  };
  informers.pools.addEventHandler({
    onAdd: (p) => enqueueUnboundClaims(p.metadata.namespace!, p.metadata.name!),
    onUpdate: (old, p) => { if (old.metadata.generation !== p.metadata.generation) enqueueUnboundClaims(p.metadata.namespace!, p.metadata.name!); },
    onDelete: (p) => enqueueUnboundClaims(p.metadata.namespace!, p.metadata.name!),
  });
  // A template appearing, or its NetworkPolicy coming into place (or going), changes what its pools' claims can do.
  const enqueueClaimsOfTemplate = (t: SandboxTemplate) => {
    for (const pool of informers.pools.byIndex(POOL_BY_TEMPLATE_INDEX, `${t.metadata.namespace}/${t.metadata.name}`)) {
      for (const claim of informers.claims.byIndex(CLAIM_BY_POOL_INDEX, `${pool.metadata.namespace}/${pool.metadata.name}`)) {
        if (!claim.metadata.deletionTimestamp) queue.add(objectKey(claim));
      }
    }
  };
  informers.templates.addEventHandler({
    onAdd: enqueueClaimsOfTemplate,
    onUpdate: (old, t) => { if (networkPolicyGate(old).open !== networkPolicyGate(t).open) enqueueClaimsOfTemplate(t); },
  });
}

/** The SandboxClaim controller as the manager runs it (with --extensions). */
export const claimControllerModule: ControllerModule = {
  name: 'sandboxclaim',
  enabled: (settings) => settings.extensions,
  setup({ manager, settings, burstGate, metrics }): void {
    const informers: ClaimInformers = {
      claims: manager.informer<SandboxClaim>(Resources.sandboxClaims),
      sandboxes: manager.informer<Sandbox>(Resources.sandboxes),
      pools: manager.informer<SandboxWarmPool>(Resources.sandboxWarmPools),
      templates: manager.informer<SandboxTemplate>(Resources.sandboxTemplates),
    };
    addClaimIndexes(informers);
    const events = settings.claim.events ? manager.eventRecorder('sandboxclaim-controller') : noopEventRecorder;
    const reconciler = new ClaimReconciler({
      client: manager.client, caches: informers, metrics, events,
      settings: { ...settings.claim, allowedLabelDomains: loadAllowedLabelDomains() },
      // Called only once workers run, after `controller` below exists.
      wakeClaims: (keys) => keys.forEach((k) => controller.queue.add(k)),
    });
    const controller = manager.controller({ name: 'sandboxclaim', reconciler, workers: settings.claim.workers });
    watchForClaims(informers, controller.queue, reconciler, burstGate);
  },
};
