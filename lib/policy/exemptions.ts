// Guardrail exemptions: explicit, per rule, each with a written reason. They travel with the object as a
// JSON annotation (ANNOTATION.guardrailExemptions) so reviewers, the synth-time engine and the cluster's
// admission policy all see the same exemptions.

import { ANNOTATION } from '../api';
import { ALL_RULE_IDS, RuleId } from './rule-ids';

/** Rule id -> why this object may break the rule. */
export type Exemptions = Partial<Record<RuleId, string>>;

/** Problems with an exemption set: unknown rules and empty reasons are rejected, never ignored. */
export function exemptionProblems(exemptions: Exemptions): string[] {
  const problems: string[] = [];
  for (const [rule, reason] of Object.entries(exemptions)) {
    if (!(ALL_RULE_IDS as readonly string[]).includes(rule)) {
      problems.push(`exemption for unknown guardrail rule "${rule}" (known rules: ${ALL_RULE_IDS.join(', ')})`);
    } else if (typeof reason !== 'string' || reason.trim() === '') {
      problems.push(`exemption for guardrail rule "${rule}" needs a written reason`);
    }
  }
  return problems;
}

/** The annotation recording `exemptions`, or nothing when there are none. */
export function exemptionAnnotations(exemptions: Exemptions | undefined): Record<string, string> {
  if (!exemptions || Object.keys(exemptions).length === 0) return {};
  const sorted = Object.fromEntries(Object.entries(exemptions).sort(([a], [b]) => a.localeCompare(b)));
  return { [ANNOTATION.guardrailExemptions]: JSON.stringify(sorted) };
}

/** Reads the exemptions recorded on an object; a malformed annotation is an error, not "no exemptions". */
export function readExemptions(annotations: Record<string, string> | undefined): Exemptions {
  const raw = annotations?.[ANNOTATION.guardrailExemptions];
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`annotation ${ANNOTATION.guardrailExemptions} is not valid JSON: ${raw}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`annotation ${ANNOTATION.guardrailExemptions} must be a JSON object of rule id -> reason`);
  }
  return parsed as Exemptions;
}
