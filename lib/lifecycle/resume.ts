// Setting a suspended Sandbox running again, the one write both resume paths make (the router for an authorized
// request, the SDK's direct mode for its caller): operatingMode Running, and the suspend reason cleared so a later
// manual suspend is counted as manual.
import { ANNOTATION, type Sandbox } from '../api';
import { Resources, type KubeApi } from '../kube';

export function setRunning(client: Pick<KubeApi, 'mergePatch'>, namespace: string, name: string, signal?: AbortSignal): Promise<Sandbox> {
  return client.mergePatch<Sandbox>(Resources.sandboxes, namespace, name,
    { metadata: { annotations: { [ANNOTATION.suspendReason]: null } }, spec: { operatingMode: 'Running' } }, { signal });
}
