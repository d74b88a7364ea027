// Small builders for the hand-written parts of our CRD schemas (everything except embedded k8s types).

import type { SchemaNode } from './k8s-openapi';

export const str = (description: string, extra: SchemaNode = {}): SchemaNode => ({ type: 'string', description, ...extra });
export const bool = (description: string): SchemaNode => ({ type: 'boolean', description });
export const int32 = (description: string, extra: SchemaNode = {}): SchemaNode => ({ type: 'integer', format: 'int32', description, ...extra });
export const dateTime = (description: string): SchemaNode => str(description, { format: 'date-time' });
export const stringMap = (description: string): SchemaNode => ({ type: 'object', description, additionalProperties: { type: 'string' } });

export function enumOf(description: string, values: readonly string[], defaultValue?: string): SchemaNode {
  return { type: 'string', description, enum: [...values], ...(defaultValue !== undefined ? { default: defaultValue } : {}) };
}

export function object(description: string, properties: Record<string, SchemaNode>, required: string[] = []): SchemaNode {
  return { type: 'object', description, properties, ...(required.length > 0 ? { required } : {}) };
}

/** A list replaced as a whole on apply (upstream marks these `atomic`). */
export function atomicList(description: string, items: SchemaNode): SchemaNode {
  return { type: 'array', description, items, 'x-kubernetes-list-type': 'atomic' };
}

export const nameRef = (description: string): SchemaNode =>
  object(description, { name: str('Name of the referenced object in the same namespace.', { minLength: 1 }) }, ['name']);

/** metav1.Condition with the validation controller-gen attaches to it. */
export function conditions(): SchemaNode {
  const condition = object('Condition contains details for one aspect of the current state of this API Resource.', {
    lastTransitionTime: dateTime('Last time the condition transitioned from one status to another.'),
    message: str('Human readable message indicating details about the transition.', { maxLength: 32768 }),
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0, description: 'The .metadata.generation the condition was set based upon.' },
    reason: str('Programmatic identifier of the reason for the last transition.', { maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
    status: enumOf('Status of the condition.', ['True', 'False', 'Unknown']),
    type: str('Type of condition in CamelCase.', { maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' }),
  }, ['lastTransitionTime', 'message', 'reason', 'status', 'type']);
  return { type: 'array', description: 'Latest observations of the object\'s state.', items: condition, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] };
}
