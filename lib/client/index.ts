// agent-sandbox-kit/client: TypeScript SDK for claiming sandboxes from warm pools and using them.
export { SandboxClient, type SandboxClientOptions, type CreateSandboxOptions, type CallOptions, type ClaimSummary, type RunActionsOptions } from './client';
export { type ActionsResult } from './actions';
export { type ActionOutputChunk } from './follow';
export { SandboxHandle, type ExecutionResult, type StreamEvent, type ActionOutputEvent, type FileEntry, type RunOptions } from './sandbox';
export { type ConnectionConfig, type SandboxAddress } from './connection';
export { claimManifest, createClaim, waitForClaim, waitForClaimReady, type ClaimRequest } from './claims';
export {
  SandboxError, ClaimFailedError, ClaimTimeoutError, ClaimConflictError, SandboxRequestError, SandboxConnectionError, ApiUnreachableError, ResumeForbiddenError, ResumeTimeoutError,
  DeadlineExceededError, type ApiServerRef,
} from './errors';
export { mintScopedToken } from '../router/auth/scoped-token';
