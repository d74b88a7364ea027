// Typed SDK errors: each names the namespace/claim (or sandbox) and the reason, so callers can branch on the
// class and humans can act on the message.

export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The claim reached a reason after which waiting cannot help (e.g. WarmPoolNotFound), or was deleted. */
export class ClaimFailedError extends SandboxError {
  constructor(readonly namespace: string, readonly claim: string, readonly reason: string, readonly detail: string) {
    super(`SandboxClaim ${namespace}/${claim} failed: ${reason}${detail ? `: ${detail}` : ''}`);
  }
}

/** The claim did not become Ready in time; `reason` is its last Ready reason, if any. */
export class ClaimTimeoutError extends SandboxError {
  constructor(readonly namespace: string, readonly claim: string, readonly timeoutMs: number, readonly reason?: string, readonly detail?: string) {
    super(`SandboxClaim ${namespace}/${claim} was not Ready after ${timeoutMs / 1000}s${reason ? ` (last reason ${reason}${detail ? `: ${detail}` : ''})` : ''}`);
  }
}

/** A claim with the caller's name already exists but asks for something else. */
export class ClaimConflictError extends SandboxError {
  constructor(readonly namespace: string, readonly claim: string, detail: string) {
    super(`SandboxClaim ${namespace}/${claim} already exists with a different spec: ${detail}`);
  }
}

/** The router or in-sandbox runtime answered with an error status. */
export class SandboxRequestError extends SandboxError {
  constructor(readonly namespace: string, readonly sandbox: string, readonly status: number, readonly detail: string, readonly operation: string) {
    super(`${operation} on sandbox ${namespace}/${sandbox} failed with HTTP ${status}: ${detail}`);
  }
}

/** The router or runtime could not be reached, or the connection broke before the answer was complete. */
export class SandboxConnectionError extends SandboxError {
  constructor(readonly namespace: string, readonly sandbox: string, readonly operation: string, readonly detail: string) {
    super(`${operation} on sandbox ${namespace}/${sandbox} failed: ${detail}`);
  }
}

/** Where an API call went: the server and the kubeconfig context (absent in-cluster or for a given client). */
export interface ApiServerRef {
  readonly server?: string;
  readonly context?: string;
}

const describeServer = (ref: ApiServerRef): string =>
  `the API server${ref.server ? ` ${ref.server}` : ''}${ref.context ? ` (context ${ref.context})` : ''}`;

/** The API server could not be reached or broke the connection (refused, DNS, reset, no answer on the socket). */
export class ApiUnreachableError extends SandboxError {
  constructor(readonly server: ApiServerRef, readonly step: string, readonly detail: string) {
    super(`cannot reach ${describeServer(server)} while ${step}: ${detail}`);
  }
}

/** The caller's deadline (e.g. the CLI's --timeout) passed; `step` says what was still in progress. */
export class DeadlineExceededError extends SandboxError {
  constructor(readonly server: ApiServerRef, readonly step: string, readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs / 1000}s while ${step}: no answer from ${describeServer(server)}`);
  }
}

/** Direct mode could not resume a suspended sandbox: the caller may not patch it (`permission` says what is missing). */
export class ResumeForbiddenError extends SandboxError {
  constructor(readonly namespace: string, readonly sandbox: string, readonly permission: string, readonly detail: string) {
    super(`cannot resume suspended sandbox ${namespace}/${sandbox}: ${permission} (the API server said: ${detail})`);
  }
}

/** Direct mode set a suspended sandbox running, but it was not Ready within the hold; try again later. */
export class ResumeTimeoutError extends SandboxError {
  constructor(readonly namespace: string, readonly sandbox: string, readonly holdMs: number, readonly reason?: string) {
    super(`sandbox ${namespace}/${sandbox} is resuming and not Ready after ${holdMs / 1000}s${reason ? ` (${reason})` : ''}; retry later`);
  }
}
