// Runs the guardrail engine (lib/policy) on what a component is about to create, before any resource is
// registered: a violation stops the program with the component, object, field path and rule id.

import { checkObjects, formatViolation, type GuardrailPolicy, type PlainObject, type Violation } from '../policy';

export function enforceGuardrails(component: string, objects: readonly PlainObject[], policy: GuardrailPolicy = {}): void {
  rejectViolations(component, checkObjects(objects, policy));
}

/** Throws one error listing every violation, if there is any. */
export function rejectViolations(component: string, violations: readonly Violation[]): void {
  if (violations.length > 0) {
    throw new Error(`${component} violates guardrails:\n${violations.map((v) => `  ${formatViolation(v)}`).join('\n')}`);
  }
}
