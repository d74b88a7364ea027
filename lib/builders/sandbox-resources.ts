// Builders for our own kinds: Sandbox, SandboxTemplate, SandboxWarmPool and SandboxClaim, from typed props,
// with the checks the API server would otherwise only report at apply time (names, reserved keys, ranges).

import { actionName, COMPLETION_POLICIES, MAX_ACTION_ARGS, MAX_STARTUP_ACTIONS, MIN_IDLE_TIMEOUT_SECONDS } from '../api/lifecycle';
import {
  ClaimEnvVar, ClaimLifecycle, EnvVarsInjectionPolicy, isSystemKey, NetworkPolicyManagement, OperatingMode,
  PersistentVolumeClaimTemplate, PodMetadata, PodTemplate, Sandbox, SANDBOX, SANDBOX_CLAIM, SANDBOX_TEMPLATE,
  SANDBOX_WARM_POOL, SandboxClaim, SandboxNetworkPolicy, SandboxStartup, SandboxTemplate, SandboxWarmPool, ShutdownPolicy,
  UpdateStrategyType, VolumeClaimTemplatesPolicy,
} from '../api';
import type { PodSpec } from 'kubernetes-types/core/v1';
import { Exemptions, exemptionAnnotations, exemptionProblems } from '../policy/exemptions';
import { assertNoProblems, Built, compact, dnsLabelProblem, dnsSubdomainProblem, quantityMapProblems, quantityValue, rfc3339Problem } from './manifest';

/** Identity and metadata shared by all four kinds. */
export interface ObjectProps {
  /** Object name. */
  readonly name: string;
  /** Namespace. @default "default" */
  readonly namespace?: string;
  /** @default - none */
  readonly labels?: Record<string, string>;
  /** @default - none */
  readonly annotations?: Record<string, string>;
}

/** Pod-carrying kinds may exempt guardrail rules, each with a reason recorded as an annotation. */
export interface GuardedProps {
  /** Guardrail rules this object is exempt from, with the reason. @default - none */
  readonly guardrailExemptions?: Exemptions;
}

export interface BlueprintProps {
  /**
   * The pod to run. `automountServiceAccountToken` defaults to false when unset: sandboxes run untrusted code.
   */
  readonly podTemplate: PodTemplate;
  /** PVCs created per sandbox and mounted by name. @default - none */
  readonly volumeClaimTemplates?: readonly PersistentVolumeClaimTemplate[];
  /** Keep a headless Service for the sandbox. @default - unset (no Service is created) */
  readonly service?: boolean;
}

/** Our lifecycle additions: startup actions with a completion policy, and idle suspend. */
export interface LifecycleProps {
  /**
   * Commands run in order once the sandbox is Ready, then `completionPolicy` (Suspend by default) is applied.
   * On a template: the default for claimed sandboxes whose claim sets none (pool members run none while pooled).
   * @default - no startup actions
   */
  readonly startup?: SandboxStartup;
  /** Suspend the sandbox after this many seconds without a request (at least 60). @default - never */
  readonly idleTimeoutSeconds?: number;
}

export interface SandboxProps extends ObjectProps, GuardedProps, BlueprintProps, LifecycleProps {
  /** Absolute expiry (RFC 3339 string or Date). @default - never expires */
  readonly shutdownTime?: string | Date;
  /** @default "Retain" */
  readonly shutdownPolicy?: ShutdownPolicy;
  /** @default "Running" */
  readonly operatingMode?: OperatingMode;
}

export interface SandboxTemplateProps extends ObjectProps, GuardedProps, BlueprintProps, LifecycleProps {
  /** Ingress/egress rules of the per-template NetworkPolicy. @default - the controller's secure default */
  readonly networkPolicy?: SandboxNetworkPolicy;
  /** @default "Managed" */
  readonly networkPolicyManagement?: NetworkPolicyManagement;
  /** @default "Disallowed" */
  readonly envVarsInjectionPolicy?: EnvVarsInjectionPolicy;
  /** @default "Disallowed" */
  readonly volumeClaimTemplatesPolicy?: VolumeClaimTemplatesPolicy;
}

export interface SandboxWarmPoolProps extends ObjectProps {
  /** Name of the SandboxTemplate members are built from (same namespace). */
  readonly templateName: string;
  /** Pre-warmed sandboxes to keep. @default 1 */
  readonly replicas?: number;
  /** @default "OnReplenish" */
  readonly updateStrategy?: UpdateStrategyType;
}

export interface SandboxClaimProps extends ObjectProps, LifecycleProps {
  /** Name of the SandboxWarmPool to take a sandbox from. */
  readonly warmPoolName: string;
  /** @default - never expires, Retain */
  readonly lifecycle?: ClaimLifecycle;
  /** @default - none */
  readonly additionalPodMetadata?: PodMetadata;
  /** Env vars to inject (forces a cold start; the template must allow it). @default - none */
  readonly env?: readonly ClaimEnvVar[];
  /** @default - none */
  readonly volumeClaimTemplates?: readonly PersistentVolumeClaimTemplate[];
}

function metadataProblems(props: ObjectProps): (string | undefined)[] {
  return [dnsSubdomainProblem('name', props.name), props.namespace === undefined ? undefined : dnsLabelProblem('namespace', props.namespace)];
}

function reservedKeyProblems(field: string, meta: PodMetadata | undefined): string[] {
  const problems: string[] = [];
  for (const [kind, record] of [['label', meta?.labels], ['annotation', meta?.annotations]] as const) {
    for (const key of Object.keys(record ?? {})) {
      if (isSystemKey(key, kind)) problems.push(`${field}.${kind}s[${JSON.stringify(key)}] uses a reserved key (set by the controller only)`);
    }
  }
  return problems;
}

function blueprintProblems(props: BlueprintProps & GuardedProps): (string | undefined)[] {
  const containers = props.podTemplate.spec.containers ?? [];
  return [
    ...(containers.length === 0 ? ['podTemplate.spec.containers must list at least one container'] : []),
    ...reservedKeyProblems('podTemplate.metadata', props.podTemplate.metadata),
    ...(props.volumeClaimTemplates ?? []).map((t, i) => (t.metadata?.name ? undefined : `volumeClaimTemplates[${i}].metadata.name is required (it names the volume)`)),
    ...(props.volumeClaimTemplates ?? []).flatMap((t, i) => quantityMapProblems(`volumeClaimTemplates[${i}].spec.resources.requests`, t.spec?.resources?.requests)),
    ...[...containers, ...(props.podTemplate.spec.initContainers ?? [])].flatMap((c) => [
      ...quantityMapProblems(`podTemplate.spec.containers[${c.name}].resources.requests`, c.resources?.requests),
      ...quantityMapProblems(`podTemplate.spec.containers[${c.name}].resources.limits`, c.resources?.limits),
    ]),
    ...exemptionProblems(props.guardrailExemptions ?? {}).map((p) => `guardrailExemptions: ${p}`),
  ];
}

const positiveInteger = (value: number, min: number) => Number.isInteger(value) && value >= min;

/** The CRDs' lifecycle rules, at synth time (see lib/api/crds/lifecycle.ts). */
function lifecycleProblems(props: LifecycleProps): (string | undefined)[] {
  const { startup, idleTimeoutSeconds } = props;
  const problems: (string | undefined)[] = [];
  if (idleTimeoutSeconds !== undefined && !positiveInteger(idleTimeoutSeconds, MIN_IDLE_TIMEOUT_SECONDS)) {
    problems.push(`idleTimeoutSeconds must be an integer >= ${MIN_IDLE_TIMEOUT_SECONDS} (got ${idleTimeoutSeconds})`);
  }
  if (!startup) return problems;
  const actions = startup.actions ?? [];
  if (actions.length === 0 || actions.length > MAX_STARTUP_ACTIONS) problems.push(`startup.actions must list 1 to ${MAX_STARTUP_ACTIONS} actions (got ${actions.length})`);
  if (startup.completionPolicy !== undefined && !(COMPLETION_POLICIES as readonly string[]).includes(startup.completionPolicy)) {
    problems.push(`startup.completionPolicy must be one of ${COMPLETION_POLICIES.join(', ')} (got ${JSON.stringify(startup.completionPolicy)})`);
  }
  const seen = new Set<string>();
  actions.forEach((action, i) => {
    const field = `startup.actions[${i}]`;
    if (!action.command?.length || !action.command[0]) problems.push(`${field}.command must name a program: at least one element, the first not empty`);
    else if (action.command.length > MAX_ACTION_ARGS) problems.push(`${field}.command has ${action.command.length} elements (at most ${MAX_ACTION_ARGS})`);
    if (action.timeoutSeconds !== undefined && !positiveInteger(action.timeoutSeconds, 1)) problems.push(`${field}.timeoutSeconds must be an integer >= 1 (got ${action.timeoutSeconds})`);
    if (action.name !== undefined) problems.push(dnsLabelProblem(`${field}.name`, action.name));
    (action.env ?? []).forEach((e, j) => { if (!e.name) problems.push(`${field}.env[${j}].name must not be empty`); });
    const name = actionName(action, i);
    if (seen.has(name)) problems.push(`${field}.name ${JSON.stringify(name)} is used by an earlier action; names must be unique`);
    seen.add(name);
  });
  return problems;
}

function lifecycleSpec(props: LifecycleProps) {
  return { startup: props.startup ? structuredClone(props.startup) : undefined, idleTimeoutSeconds: props.idleTimeoutSeconds };
}

function metadata(props: ObjectProps & GuardedProps): Built<object>['metadata'] {
  const annotations = { ...props.annotations, ...exemptionAnnotations(props.guardrailExemptions) };
  return compact({
    name: props.name,
    namespace: props.namespace ?? 'default',
    labels: props.labels ? { ...props.labels } : undefined,
    annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
  });
}

/** Room for the containers' writable layers and logs, on top of the pod's disk-backed volumes. */
const WRITABLE_LAYER_AND_LOGS_MIB = 512;
const MIB = 2 ** 20;

/**
 * Gives the first container an ephemeral-storage request and limit (equal, so the scheduler never
 * overcommits node disk) of the pod's disk-backed emptyDir size limits plus room for writable layers
 * and logs. Left alone when a container already sets one, or when an emptyDir has no size limit.
 */
function withEphemeralStorage(spec: PodSpec): PodSpec {
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const resource = 'ephemeral-storage';
  if (spec.containers.length === 0 || containers.some((c) => c.resources?.requests?.[resource] !== undefined || c.resources?.limits?.[resource] !== undefined)) return spec;
  const disks = (spec.volumes ?? []).filter((v) => v.emptyDir && v.emptyDir.medium !== 'Memory');
  const sizes = disks.map((v) => (v.emptyDir!.sizeLimit === undefined ? NaN : quantityValue(v.emptyDir!.sizeLimit)));
  if (sizes.some((size) => Number.isNaN(size))) return spec;
  const total = `${Math.ceil(sizes.reduce((sum, size) => sum + size, 0) / MIB) + WRITABLE_LAYER_AND_LOGS_MIB}Mi`;
  const [first, ...rest] = spec.containers;
  const resources = { ...first.resources, requests: { ...first.resources?.requests, [resource]: total }, limits: { ...first.resources?.limits, [resource]: total } };
  return { ...spec, containers: [{ ...first, resources }, ...rest] };
}

function blueprint(props: BlueprintProps) {
  // Deep copies: built objects must never share arrays or maps with the caller's props (or with each other).
  const { metadata: podMetadata, spec: podSpec } = structuredClone(props.podTemplate);
  const spec = withEphemeralStorage({ ...podSpec, automountServiceAccountToken: podSpec.automountServiceAccountToken ?? false });
  return compact({
    podTemplate: compact({ metadata: podMetadata, spec }),
    volumeClaimTemplates: props.volumeClaimTemplates ? structuredClone([...props.volumeClaimTemplates]) : undefined,
    service: props.service,
  });
}

export function sandboxProblems(props: SandboxProps): string[] {
  return [...metadataProblems(props), ...blueprintProblems(props), ...lifecycleProblems(props), rfc3339Problem('shutdownTime', props.shutdownTime)].filter((p): p is string => p !== undefined);
}

export function buildSandbox(props: SandboxProps): Built<Sandbox> {
  assertNoProblems(`Sandbox ${props.name}`, sandboxProblems(props));
  const shutdownTime = props.shutdownTime instanceof Date ? props.shutdownTime.toISOString() : props.shutdownTime;
  return {
    apiVersion: SANDBOX.apiVersion as Sandbox['apiVersion'], kind: 'Sandbox',
    metadata: metadata(props),
    spec: compact({ ...blueprint(props), shutdownTime, shutdownPolicy: props.shutdownPolicy, operatingMode: props.operatingMode, ...lifecycleSpec(props) }),
  };
}

export function sandboxTemplateProblems(props: SandboxTemplateProps): string[] {
  return [...metadataProblems(props), ...blueprintProblems(props), ...lifecycleProblems(props)].filter((p): p is string => p !== undefined);
}

export function buildSandboxTemplate(props: SandboxTemplateProps): Built<SandboxTemplate> {
  assertNoProblems(`SandboxTemplate ${props.name}`, sandboxTemplateProblems(props));
  return {
    apiVersion: SANDBOX_TEMPLATE.apiVersion as SandboxTemplate['apiVersion'], kind: 'SandboxTemplate',
    metadata: metadata(props),
    spec: compact({
      ...blueprint(props),
      networkPolicy: props.networkPolicy,
      networkPolicyManagement: props.networkPolicyManagement,
      envVarsInjectionPolicy: props.envVarsInjectionPolicy,
      volumeClaimTemplatesPolicy: props.volumeClaimTemplatesPolicy,
      ...lifecycleSpec(props),
    }),
  };
}

export function sandboxWarmPoolProblems(props: SandboxWarmPoolProps): string[] {
  const replicas = props.replicas ?? 1;
  return [
    ...metadataProblems(props),
    dnsSubdomainProblem('templateName', props.templateName),
    Number.isInteger(replicas) && replicas >= 0 ? undefined : `replicas must be an integer >= 0 (got ${replicas})`,
  ].filter((p): p is string => p !== undefined);
}

export function buildSandboxWarmPool(props: SandboxWarmPoolProps): Built<SandboxWarmPool> {
  assertNoProblems(`SandboxWarmPool ${props.name}`, sandboxWarmPoolProblems(props));
  return {
    apiVersion: SANDBOX_WARM_POOL.apiVersion as SandboxWarmPool['apiVersion'], kind: 'SandboxWarmPool',
    metadata: metadata(props),
    spec: compact({
      replicas: props.replicas ?? 1,
      sandboxTemplateRef: { name: props.templateName },
      updateStrategy: props.updateStrategy ? { type: props.updateStrategy } : undefined,
    }),
  };
}

export function sandboxClaimProblems(props: SandboxClaimProps): string[] {
  return [
    ...metadataProblems(props),
    dnsSubdomainProblem('warmPoolName', props.warmPoolName),
    ...reservedKeyProblems('additionalPodMetadata', props.additionalPodMetadata),
    ...(props.env ?? []).map((e, i) => (e.name ? undefined : `env[${i}].name must not be empty`)),
    props.lifecycle?.ttlSecondsAfterFinished !== undefined && props.lifecycle.ttlSecondsAfterFinished < 0 ? 'lifecycle.ttlSecondsAfterFinished must be >= 0' : undefined,
    rfc3339Problem('lifecycle.shutdownTime', props.lifecycle?.shutdownTime),
    ...lifecycleProblems(props),
  ].filter((p): p is string => p !== undefined);
}

export function buildSandboxClaim(props: SandboxClaimProps): Built<SandboxClaim> {
  assertNoProblems(`SandboxClaim ${props.name}`, sandboxClaimProblems(props));
  return {
    apiVersion: SANDBOX_CLAIM.apiVersion as SandboxClaim['apiVersion'], kind: 'SandboxClaim',
    metadata: metadata(props),
    spec: compact({
      warmPoolRef: { name: props.warmPoolName },
      lifecycle: props.lifecycle,
      additionalPodMetadata: props.additionalPodMetadata,
      env: props.env ? [...props.env] : undefined,
      volumeClaimTemplates: props.volumeClaimTemplates ? [...props.volumeClaimTemplates] : undefined,
      ...lifecycleSpec(props),
    }),
  };
}
