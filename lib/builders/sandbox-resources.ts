// Builders for our own kinds: Sandbox, SandboxTemplate, SandboxWarmPool and SandboxClaim, from typed props,
// with the checks the API server would otherwise only report at apply time (names, reserved keys, ranges).

import {
  ClaimEnvVar, ClaimLifecycle, EnvVarsInjectionPolicy, isSystemKey, NetworkPolicyManagement, OperatingMode,
  PersistentVolumeClaimTemplate, PodMetadata, PodTemplate, Sandbox, SANDBOX, SANDBOX_CLAIM, SANDBOX_TEMPLATE,
  SANDBOX_WARM_POOL, SandboxClaim, SandboxNetworkPolicy, SandboxTemplate, SandboxWarmPool, ShutdownPolicy,
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

export interface SandboxProps extends ObjectProps, GuardedProps, BlueprintProps {
  /** Absolute expiry (RFC 3339 string or Date). @default - never expires */
  readonly shutdownTime?: string | Date;
  /** @default "Retain" */
  readonly shutdownPolicy?: ShutdownPolicy;
  /** @default "Running" */
  readonly operatingMode?: OperatingMode;
}

export interface SandboxTemplateProps extends ObjectProps, GuardedProps, BlueprintProps {
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

export interface SandboxClaimProps extends ObjectProps {
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
  return [...metadataProblems(props), ...blueprintProblems(props), rfc3339Problem('shutdownTime', props.shutdownTime)].filter((p): p is string => p !== undefined);
}

export function buildSandbox(props: SandboxProps): Built<Sandbox> {
  assertNoProblems(`Sandbox ${props.name}`, sandboxProblems(props));
  const shutdownTime = props.shutdownTime instanceof Date ? props.shutdownTime.toISOString() : props.shutdownTime;
  return {
    apiVersion: SANDBOX.apiVersion as Sandbox['apiVersion'], kind: 'Sandbox',
    metadata: metadata(props),
    spec: compact({ ...blueprint(props), shutdownTime, shutdownPolicy: props.shutdownPolicy, operatingMode: props.operatingMode }),
  };
}

export function sandboxTemplateProblems(props: SandboxTemplateProps): string[] {
  return [...metadataProblems(props), ...blueprintProblems(props)].filter((p): p is string => p !== undefined);
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
    }),
  };
}
