// The four CustomResourceDefinitions, generated from the API model. v1beta1 is the storage version; v1alpha1 is
// served beside it for upstream users, converted by the controller's webhook (lib/api/conversion).

import type {
  CustomResourceColumnDefinition, CustomResourceConversion, CustomResourceDefinition, CustomResourceDefinitionVersion,
} from 'kubernetes-types/apiextensions/v1';
import { V1ALPHA1 } from '../conversion/convert';
import { DEFAULT_SYSTEM_NAMESPACE } from '../metadata-keys';
import { API_CATEGORY, KindInfo, SANDBOX, SANDBOX_CLAIM, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL } from '../groups';
import { embeddedSchema } from './embedded-schemas';
import type { SchemaNode } from './k8s-openapi';
import { actionStatuses, lifecycleProperties } from './lifecycle';
import { atomicList, bool, conditions, dateTime, enumOf, int32, nameRef, object, str, stringMap } from './schema';
import {
  CLAIM_NAME_RULES, type CelRule, creatablePodSpec, labelMap, networkPolicyEgressRules, networkPolicyIngressRules,
  SANDBOX_NAME_RULES, volumeClaimTemplateItem, WARM_POOL_NAME_RULES,
} from './validation';

const podMetadata = (description: string) => object(description, {
  labels: labelMap(stringMap('Labels to put on the pod.'), 'labels'),
  annotations: labelMap(stringMap('Annotations to put on the pod.'), 'annotations'),
});

function volumeClaimTemplates(description: string): SchemaNode {
  const item = object('A PersistentVolumeClaim created per sandbox, named <metadata.name>-<sandbox name>.', {
    metadata: object('Name, labels and annotations of the claim.', {
      name: str('Claim template name; also the name of the pod volume it backs.'),
      labels: stringMap('Labels for the claim.'),
      annotations: stringMap('Annotations for the claim.'),
    }),
    spec: { ...embeddedSchema('persistentVolumeClaimSpec'), description: 'Spec of the claim.' },
  }, ['spec']);
  return atomicList(description, volumeClaimTemplateItem(item));
}

/** Fields shared by Sandbox and SandboxTemplate. */
function blueprintProperties(): Record<string, SchemaNode> {
  return {
    podTemplate: object('The pod to run.', {
      metadata: podMetadata('Labels and annotations for the pod.'),
      spec: creatablePodSpec({ ...embeddedSchema('podSpec'), description: 'Pod spec.' }),
    }, ['spec']),
    volumeClaimTemplates: volumeClaimTemplates('Persistent volume claims created for the sandbox and mounted by name.'),
    service: bool('true keeps a headless Service named after the sandbox; false deletes an owned one; unset keeps an existing owned Service but never creates one.'),
  };
}

const readyColumns: CustomResourceColumnDefinition[] = [
  { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
  { name: 'Reason', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].reason" },
];
const ageColumn: CustomResourceColumnDefinition = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

interface CrdParts {
  spec: SchemaNode;
  /** Rules over the whole object, for what its name implies (`self.metadata.name`). */
  rules?: readonly CelRule[];
  status?: SchemaNode;
  columns: CustomResourceColumnDefinition[];
  scale?: boolean;
}

/** Where the API server sends ConversionReviews: the controller's Service, or a URL (a controller run as a process). */
export type ConversionWebhookTarget =
  | { readonly service: { readonly namespace: string; readonly name: string; readonly port?: number } }
  | { readonly url: string };

export interface CrdOptions {
  /**
   * Where the conversion webhook is reached.
   * @default the Service `agent-sandbox-controller` in `agent-sandbox-system`, port 443
   */
  readonly conversionWebhook?: ConversionWebhookTarget;
}

export const CONVERSION_WEBHOOK_PATH = '/convert';
const DEFAULT_CONVERSION_TARGET: ConversionWebhookTarget = { service: { namespace: DEFAULT_SYSTEM_NAMESPACE, name: 'agent-sandbox-controller', port: 443 } };

function conversion(target: ConversionWebhookTarget): CustomResourceConversion {
  const clientConfig = 'url' in target
    ? { url: target.url }
    : { service: { ...target.service, path: CONVERSION_WEBHOOK_PATH } };
  return { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig } };
}

function version(name: string, parts: CrdParts, storage: boolean): CustomResourceDefinitionVersion {
  const properties: Record<string, SchemaNode> = {
    apiVersion: str('APIVersion of this representation of the object.'),
    kind: str('Kind of the REST resource this object represents.'),
    metadata: { type: 'object' },
    spec: parts.spec,
    ...(parts.status ? { status: parts.status } : {}),
  };
  return {
    name,
    served: true,
    storage,
    ...(storage ? {} : { deprecated: true, deprecationWarning: `${name} is served for compatibility; use v1beta1` }),
    schema: { openAPIV3Schema: { type: 'object', required: ['spec'], properties, ...(parts.rules?.length ? { 'x-kubernetes-validations': [...parts.rules] } : {}) } },
    additionalPrinterColumns: parts.columns,
    subresources: {
      ...(parts.status ? { status: {} } : {}),
      ...(parts.scale ? { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } } : {}),
    },
  };
}

/** A CRD serving v1beta1 (storage) and v1alpha1 (`alpha`: the parts that differ), converted by the webhook. */
function crd(info: KindInfo, parts: CrdParts, alpha: Partial<CrdParts>, options: CrdOptions): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: info.crdName },
    spec: {
      group: info.group,
      names: { kind: info.kind, listKind: `${info.kind}List`, plural: info.plural, singular: info.singular, shortNames: [...info.shortNames], categories: [API_CATEGORY] },
      scope: 'Namespaced',
      versions: [version(info.version, parts, true), version(V1ALPHA1, { ...parts, ...alpha }, false)],
      conversion: conversion(options.conversionWebhook ?? DEFAULT_CONVERSION_TARGET),
    },
  };
}

/** `properties` of an object schema without `drop`, plus `add`. */
function reshaped(node: SchemaNode, drop: readonly string[], add: Record<string, SchemaNode> = {}, required?: string[]): SchemaNode {
  const properties = Object.fromEntries(Object.entries(node.properties as Record<string, SchemaNode>).filter(([k]) => !drop.includes(k)));
  const { required: _, ...rest } = node;
  const keep = required ?? (node.required as string[] | undefined);
  return { ...rest, properties: { ...properties, ...add }, ...(keep?.length ? { required: keep } : {}) };
}

export function sandboxCrd(options: CrdOptions = {}): CustomResourceDefinition {
  const spec = object('Desired state of the Sandbox.', {
    ...blueprintProperties(),
    shutdownTime: dateTime('Absolute expiry time. Unset means the sandbox never expires.'),
    shutdownPolicy: enumOf('What happens to the Sandbox object at expiry; PVCs are kept with Retain.', ['Delete', 'Retain'], 'Retain'),
    operatingMode: enumOf('Running keeps a pod; Suspended deletes the pod and keeps PVCs and the Service.', ['Running', 'Suspended'], 'Running'),
    ...lifecycleProperties('of this sandbox'),
  }, ['podTemplate']);
  spec['x-kubernetes-validations'] = [{
    rule: 'has(self.volumeClaimTemplates) == has(oldSelf.volumeClaimTemplates) && (!has(self.volumeClaimTemplates) || self.volumeClaimTemplates == oldSelf.volumeClaimTemplates)',
    message: 'volumeClaimTemplates is immutable',
  }];
  const status = object('Observed state of the Sandbox.', {
    serviceFQDN: str('DNS name of the sandbox Service, when one is in use.'),
    service: str('Name of the sandbox Service, when one is in use.'),
    conditions: conditions(),
    selector: str('Label selector of the sandbox pod.'),
    podIPs: { type: 'array', description: 'IP addresses of the sandbox pod.', items: { type: 'string' } },
    nodeName: str('Node the sandbox pod runs on.'),
    actions: actionStatuses('One entry per startup action, in order.'),
  });
  const alpha = {
    spec: reshaped(spec, ['operatingMode'], { replicas: int32('1 runs the sandbox, 0 suspends it (v1beta1 operatingMode).', { minimum: 0, maximum: 1, default: 1 }) }),
    status: reshaped(status, ['nodeName'], { replicas: int32('1 when the sandbox is meant to run, 0 when suspended.') }),
  };
  return crd(SANDBOX, { spec, status, rules: SANDBOX_NAME_RULES, columns: [...readyColumns, ageColumn] }, alpha, options);
}

export function sandboxTemplateCrd(options: CrdOptions = {}): CustomResourceDefinition {
  const networkPolicy = object('Rules for the per-template NetworkPolicy; the controller owns podSelector and policyTypes.', {
    ingress: networkPolicyIngressRules({ type: 'array', description: 'Ingress rules.', items: embeddedSchema('networkPolicyIngressRule') }),
    egress: networkPolicyEgressRules({ type: 'array', description: 'Egress rules.', items: embeddedSchema('networkPolicyEgressRule') }),
  });
  const spec = object('A blueprint for sandboxes plus the policies claims are held to.', {
    ...blueprintProperties(),
    networkPolicy,
    networkPolicyManagement: enumOf('Managed: the controller keeps a NetworkPolicy for the template (secure default when networkPolicy is unset). Unmanaged: it keeps none.', ['Managed', 'Unmanaged'], 'Managed'),
    envVarsInjectionPolicy: enumOf('Whether claims may set environment variables.', ['Allowed', 'Overrides', 'Disallowed'], 'Disallowed'),
    volumeClaimTemplatesPolicy: enumOf('Whether claims may add or override volume claim templates.', ['Disallowed', 'Allowed', 'Overrides'], 'Disallowed'),
    ...lifecycleProperties('for claimed sandboxes of this template when the claim sets none (warm pool members run none while pooled)'),
  }, ['podTemplate']);
  const status = object('Observed state of the template (our addition): Ready says whether its NetworkPolicy is in place.', {
    conditions: conditions(),
  });
  const columns = [
    readyColumns[0],
    { name: 'Network-Policy', type: 'string', jsonPath: '.spec.networkPolicyManagement' },
    { name: 'Env-Injection', type: 'string', jsonPath: '.spec.envVarsInjectionPolicy' },
    { name: 'Volume-Claims', type: 'string', jsonPath: '.spec.volumeClaimTemplatesPolicy' },
    ageColumn,
  ];
  const alpha = { spec: reshaped(spec, ['volumeClaimTemplatesPolicy']), columns: columns.filter((c) => c.name !== 'Volume-Claims') };
  return crd(SANDBOX_TEMPLATE, { spec, status, columns }, alpha, options);
}

export function sandboxWarmPoolCrd(options: CrdOptions = {}): CustomResourceDefinition {
  const spec = object('Desired state of the warm pool.', {
    replicas: int32('Number of pre-warmed sandboxes to keep.', { default: 1, minimum: 0 }),
    sandboxTemplateRef: nameRef('The SandboxTemplate members are built from.'),
    updateStrategy: object('How members are replaced when the template changes.', {
      type: enumOf('Recreate replaces stale members at once; OnReplenish only builds new members from the new template.', ['Recreate', 'OnReplenish'], 'OnReplenish'),
    }),
  }, ['sandboxTemplateRef']);
  const status = object('Observed state of the warm pool.', {
    replicas: int32('Active members, including not-ready ones; excluding terminating ones.'),
    readyReplicas: int32('Members whose Ready condition is True.'),
    selector: str('Label selector of the members, for the scale subresource.'),
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0, description: 'Generation last acted upon.' },
    conditions: conditions(),
  });
  return crd(SANDBOX_WARM_POOL, {
    spec, status, scale: true, rules: WARM_POOL_NAME_RULES,
    columns: [
      { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Current', type: 'integer', jsonPath: '.status.replicas' },
      { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
      { name: 'Template', type: 'string', jsonPath: '.spec.sandboxTemplateRef.name' },
      ageColumn,
    ],
  }, { status: reshaped(status, ['observedGeneration']) }, options);
}

export function sandboxClaimCrd(options: CrdOptions = {}): CustomResourceDefinition {
  const env = atomicList('Environment variables to inject; forces a cold start.', object('An environment variable.', {
    name: str('Variable name.'),
    value: str('Variable value.'),
    containerName: str('Container to inject into; default is the first container.'),
  }, ['name', 'value']));
  const spec = object('A request for one sandbox from a warm pool.', {
    warmPoolRef: nameRef('The SandboxWarmPool to take a sandbox from (its template is used for cold starts).'),
    lifecycle: object('When the claim expires and what happens then.', {
      shutdownTime: dateTime('Absolute expiry of the claim.'),
      ttlSecondsAfterFinished: int32('Expire this many seconds after the sandbox finished.', { minimum: 0 }),
      shutdownPolicy: enumOf('Delete removes the claim (and its sandbox); Retain keeps the claim and deletes the sandbox.', ['Delete', 'DeleteForeground', 'Retain'], 'Retain'),
    }),
    additionalPodMetadata: podMetadata('Extra labels and annotations for the sandbox pod.'),
    env,
    volumeClaimTemplates: volumeClaimTemplates('Volume claim templates to add or override; forces a cold start.'),
    ...lifecycleProperties('of the claimed sandbox (a warm one runs them at once; overrides the template\'s)'),
  }, ['warmPoolRef']);
  const status = object('Observed state of the claim.', {
    conditions: conditions(),
    sandbox: object('The Sandbox bound to this claim.', {
      name: str('Name of the Sandbox (differs from the claim name for warm claims).'),
      podIPs: { type: 'array', description: 'IP addresses of the sandbox pod.', items: { type: 'string' } },
    }),
    actions: actionStatuses('The bound Sandbox\'s startup action results, mirrored.'),
  });
  const alphaSpec = reshaped(spec, ['warmPoolRef', 'volumeClaimTemplates'], {
    sandboxTemplateRef: object('The SandboxTemplate of the claim; with warmpool none or default, the claim is served by the SandboxWarmPool of this name.', {
      name: str('Name of the SandboxTemplate.'),
    }),
    warmpool: str('none or default: the pool named after sandboxTemplateRef; any other value names the SandboxWarmPool.', { default: 'default' }),
  }, []);
  return crd(SANDBOX_CLAIM, {
    spec, status, rules: CLAIM_NAME_RULES,
    columns: [readyColumns[0], { name: 'Sandbox', type: 'string', jsonPath: '.status.sandbox.name' }, readyColumns[1], ageColumn],
  }, { spec: alphaSpec, rules: [] }, options);  // v1alpha1 claims have no volumeClaimTemplates to check
}

/** All four CRDs, core group first. */
export function allCrds(options: CrdOptions = {}): CustomResourceDefinition[] {
  return [sandboxCrd(options), sandboxTemplateCrd(options), sandboxWarmPoolCrd(options), sandboxClaimCrd(options)];
}
