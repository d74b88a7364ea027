// TeamSandboxes: one team's namespace with quota, limits, default-deny networking, claim-only RBAC for its
// agents, its templates and warm pools, and guardrails enforced both at synth and by admission policy.

import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { sandboxAccessProblems, sandboxAccessRbac, teamAdmissionPolicy, teamBaseObjects, TeamProps, teamPolicy, teamProblems, type SandboxAccessGrant } from '../builders/team';
import { addApiObjects, buildWhenValid, objectId } from './api-objects';
import { Guardrails } from './guardrails';
import { SandboxTemplate, SandboxTemplateProps } from './sandbox-template';

export type { SandboxAccessGrant, TeamAgents } from '../builders/team';

export type TeamSandboxesProps = Omit<TeamProps, 'templates' | 'warmPools'>;

export class TeamSandboxes extends Construct {
  /** The team's namespace. */
  public readonly namespace: string;
  /** The guardrails governing everything in this team. */
  public readonly guardrails: Guardrails;
  private readonly templates: SandboxTemplate[] = [];

  constructor(scope: Construct, id: string, props: TeamSandboxesProps) {
    super(scope, id);
    this.namespace = props.name;
    this.guardrails = new Guardrails(this, 'Guardrails', teamPolicy(props));
    buildWhenValid(this, teamProblems(props), () => {
      addApiObjects(this, teamBaseObjects(props));
      // The policy honours the exemptions of templates added later, so its spec is resolved at synth.
      const [policy, binding] = teamAdmissionPolicy(props, []);
      new ApiObject(this, objectId(policy), { ...policy, spec: Lazy.any({ produce: () => teamAdmissionPolicy(props, this.templateObjects())[0].spec }) });
      new ApiObject(this, objectId(binding), binding as never);
    });
  }

  /**
   * Adds a SandboxTemplate in the team's namespace; add warm pools with `template.addWarmPool()`.
   * Pool sizes are held to the team's `maxWarmPoolReplicas` by the guardrails.
   */
  public addTemplate(id: string, props: Omit<SandboxTemplateProps, 'namespace'>): SandboxTemplate {
    const template = new SandboxTemplate(this, id, { ...props, namespace: this.namespace });
    this.templates.push(template);
    return template;
  }

  /**
   * Lets more identities reach the team's sandboxes (all, or `grant.sandboxes`) through the sandbox router, and
   * nothing else: `team.grantSandboxAccess({ name: 'reviewers', groups: ['reviewers'] })`.
   */
  public grantSandboxAccess(grant: SandboxAccessGrant): Construct {
    const scope = new Construct(this, `SandboxAccess-${grant.name}`);
    buildWhenValid(scope, sandboxAccessProblems(grant), () => addApiObjects(scope, sandboxAccessRbac(this.namespace, grant)));
    return scope;
  }

  private templateObjects() {
    return this.templates.flatMap((t) => (t.apiObject ? [t.apiObject.toJson()] : []));
  }
}
