// Where the proxy server meets the lifecycle: the waker for admission, and per admitted request the activity mark
// and, for a request that waited on a resume, its latency to the first byte of the answer.
import type { Duplex } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { Admitted } from '../admission';
import type { ActivityRecorder } from '../../lifecycle/activity';
import type { LifecycleRouterMetrics } from './metrics';
import type { SandboxWaker } from './waker';

export interface RouterLifecycle {
  readonly waker?: SandboxWaker;
  readonly activity?: ActivityRecorder;
  readonly metrics?: LifecycleRouterMetrics;
}

/** Marks the request's sandbox active until the response (or upgraded connection) closes, when it has an idle timeout. */
export function trackActivity(lifecycle: RouterLifecycle | undefined, admitted: Admitted, stream: ServerResponse | Duplex): void {
  const { namespace, name, idleTimeoutSeconds } = admitted.target;
  if (idleTimeoutSeconds && lifecycle?.activity) stream.once('close', lifecycle.activity.begin(namespace, name));
}

/** For a request that waited on a resume: its arrival (`started`, performance.now()) to the first byte of the answer. */
export function observeFirstByte(lifecycle: RouterLifecycle | undefined, admitted: Admitted, started: number): void {
  if (admitted.resumed) lifecycle?.metrics?.resumeLatency.observe({ sandbox_namespace: admitted.target.namespace }, (performance.now() - started) / 1000);
}
