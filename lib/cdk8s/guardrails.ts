// Guardrails: attaches a guardrail policy to a scope. At synth, every ApiObject below that scope (whose
// nearest Guardrails is this one) is checked, and each violation fails synth naming the object's construct
// path, the field path and the rule. Works for our constructs, cdk8s-plus workloads and raw ApiObjects.

import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { checkObject } from '../policy/engine';
import { GuardrailPolicy, policyProblems, resolvePolicy } from '../policy/profiles';

export type GuardrailsProps = GuardrailPolicy;

export class Guardrails extends Construct {
  /** The Guardrails governing `construct`: the one attached to its nearest enclosing scope, if any. */
  public static of(construct: IConstruct): Guardrails | undefined {
    for (const scope of [...construct.node.scopes].reverse()) {
      const found = scope.node.children.find((child): child is Guardrails => child instanceof Guardrails);
      if (found) return found;
    }
    return undefined;
  }

  /** The policy in force (profile, runtime classes, registries, pool maximum). */
  public readonly policy: GuardrailPolicy;

  /**
   * @param scope everything below this scope is checked (unless a nested Guardrails takes over)
   * @param id construct id
   * @param props the policy. @default - profile "restricted" with the preset runtime classes
   */
  constructor(scope: Construct, id: string, props: GuardrailsProps = {}) {
    super(scope, id);
    this.policy = props;
    this.node.addValidation({ validate: () => this.violations(scope) });
  }

  private violations(scope: Construct): string[] {
    const problems = policyProblems(this.policy);
    if (problems.length > 0) return problems.map((p) => `guardrails: ${p}`);
    const resolved = resolvePolicy(this.policy);
    const messages: string[] = [];
    for (const obj of scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))) {
      if (Guardrails.of(obj) !== this) continue;
      try {
        for (const v of checkObject(obj.toJson(), resolved)) messages.push(`${obj.node.path}: ${v.path}: ${v.message} [rule ${v.rule}]`);
      } catch (e) {
        messages.push(`${obj.node.path}: ${(e as Error).message}`);
      }
    }
    return messages;
  }
}
