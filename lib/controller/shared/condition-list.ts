// metav1.Condition helpers with apimachinery SetStatusCondition semantics: lastTransitionTime changes only when the
// status flips; reason, message and observedGeneration are always refreshed.
import type { Condition } from 'kubernetes-types/meta/v1';

/** A condition before it is stamped with a transition time. */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** A copy of `conditions` with `input` set; `now` stamps new conditions and status flips. */
export function setCondition(conditions: readonly Condition[] | undefined, input: ConditionInput, now: Date): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const old = index >= 0 ? list[index] : undefined;
  const lastTransitionTime = old && old.status === input.status ? old.lastTransitionTime : rfc3339Seconds(now);
  const next: Condition = { ...input, lastTransitionTime };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** metav1.Time serialises with second precision. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
