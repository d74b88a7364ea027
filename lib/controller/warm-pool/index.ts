// lib/controller/warm-pool: the SandboxWarmPool controller — keeps spec.replicas Ready members per pool, replaces
// stale and stuck ones, paces refills, reports pool status.
export { warmPoolControllerModule } from './controller';
