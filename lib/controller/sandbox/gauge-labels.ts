// Labels of the `agent_sandboxes` gauge for one cached Sandbox (upstream label set and normalisation).
import { CONDITION, SANDBOX_REASON } from '../../api/conditions';
import { EXTENSIONS_GROUP, SANDBOX_CLAIM, SANDBOX_WARM_POOL } from '../../api/groups';
import { ANNOTATION, LABEL, normaliseCreatedBy } from '../../api/metadata-keys';
import type { Sandbox } from '../../api/types';
import type { SandboxGaugeLabels } from '../metrics';
import { findCondition } from '../shared/condition-list';
import { controllerIsKind } from '../shared/ownership';

export function sandboxGaugeLabels(sandbox: Sandbox): SandboxGaugeLabels {
  const ready = findCondition(sandbox.status?.conditions, CONDITION.ready);
  const meta = sandbox.metadata;
  let ownedBy = 'None';
  if (controllerIsKind(meta, EXTENSIONS_GROUP, SANDBOX_CLAIM.kind)) ownedBy = SANDBOX_CLAIM.kind;
  else if (controllerIsKind(meta, EXTENSIONS_GROUP, SANDBOX_WARM_POOL.kind)) ownedBy = SANDBOX_WARM_POOL.kind;
  return {
    namespace: meta.namespace ?? '',
    ready_condition: String(ready?.status === 'True'),
    expired: String(ready?.reason === SANDBOX_REASON.sandboxExpired),
    launch_type: meta.labels?.[LABEL.launchType] === 'warm' ? 'warm' : 'cold',
    sandbox_template: meta.annotations?.[ANNOTATION.templateRef] || 'unknown',
    owned_by: ownedBy,
    created_by: normaliseCreatedBy(meta.labels?.[LABEL.createdBy]),
  };
}
