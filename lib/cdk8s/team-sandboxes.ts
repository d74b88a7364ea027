// TeamSandboxes: one team's namespace with quota, limits, default-deny networking, claim-only RBAC for its
// agents, its templates and warm pools, and guardrails enforced both at synth and by admission policy.

import { ApiObject, Lazy } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import { sandboxAccessProblems, sandboxAccessRbac, teamAdmissionPolicy, teamBaseObjects, TeamProps, teamPolicy, teamProblems, type SandboxAccessGrant } from '../builders/team';
import { addApiObjects, buildWhenValid, objectId } from './api-objects';
import { Guardrails } from './guardrails';
import { SandboxTemplate, SandboxTemplateProps } from './sandbox-template';

export type { SandboxAccessGrant } from '../builders/team';
export type { TeamAgents } from '../builders/subjects';

export type TeamSandboxesProps = Omit<TeamProps, 'templates' | 'warmPools'>;

/** Teams by name in each app: two teams of one name would write the same namespace objects, the second silently winning. */
const teamsByApp = new WeakMap<IConstruct, Map<string, TeamSandboxes[]>>();

/** Registers `team` under `name` in its app and returns the list of teams of that name (filled as the app grows). */
function teamsNamed(team: TeamSandboxes, name: string): TeamSandboxes[] {
  const byName = teamsByApp.get(team.node.root) ?? new Map<string, TeamSandboxes[]>();
  teamsByApp.set(team.node.root, byName);
  const teams = byName.get(name) ?? [];
  byName.set(name, teams);
  teams.push(team);
  return teams;
}

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
    // Read at validation, once every team of the app exists (possibly in other charts).
    const sameName = teamsNamed(this, props.name);
    this.node.addValidation({
      validate: () => {
        const others = sameName.filter((t) => t !== this);
        return others.length === 0 ? [] : [`name "${props.name}" is also the team (and namespace) of ${others.map((t) => t.node.path).join(', ')}: each team needs its own name`];
      },
    });
    buildWhenValid(this, teamProblems(props), () => {
      addApiObjects(this, teamBaseObjects(props));
      // The policy honours the exemptions of templates added later, so its spec is resolved at synth.
      const [policy, binding] = teamAdmissionPolicy(props, []);
      new ApiObject(this, objectId(policy), { ...policy, spec: Lazy.any({ produce: () => teamAdmissionPolicy(props, this.templateObjects())[0].spec }) });
      new ApiObject(this, objectId(binding), binding);
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
    return this.templates.map((t) => t.apiObject.toJson());
  }
}
