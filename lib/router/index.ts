// Sandbox router: header-routed reverse proxy to sandbox pods with auth, limits, logs and metrics.
export { RouterServer, type RouterServerOptions, type AccessLogEntry } from './server';
export { parseRouterConfig, DEFAULT_ROUTER_CONFIG, type RouterConfig, type AuthzMode } from './config';
export { StaticResolver, type SandboxResolver, type SandboxTarget } from './resolver';
export { SandboxCache, toTarget, type SandboxCacheOptions } from './sandbox-cache';
export { AllowAllAuthorizer, type Authorizer, type AuthDecision } from './auth/authorizer';
export { ScopedTokenAuthorizer, mintScopedToken, verifyScopedToken, type ScopedTokenClaims } from './auth/scoped-token';
export { TokenReviewAuthorizer, describeUser, type TokenReviewOptions } from './auth/tokenreview';
export { tokenShapeProblem, MAX_TOKEN_BYTES, type TokenFormat } from './auth/token-shape';
export { NodeAddressCache, NO_NODES, type NodeAddressIndex } from './node-addresses';
export { RouterMetrics } from './metrics';
export { createAdminServer } from './admin-server';
export { SandboxWaker, type WakerOptions } from './lifecycle/waker';
export { ActivityRecorder, type ActivityOptions } from '../lifecycle/activity';
export { LifecycleRouterMetrics } from './lifecycle/metrics';
export type { RouterLifecycle } from './lifecycle/hooks';
