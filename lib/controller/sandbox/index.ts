// lib/controller/sandbox: the Sandbox controller — one Pod, optional Service and PVCs per Sandbox, their status and
// conditions, expiry. Reads Sandboxes, Pods, Services and PVCs.
export { sandboxControllerModule } from './controller';
