// ApiError: a failed API call with its HTTP status and Kubernetes reason, plus predicates for the common cases.
import type { Status } from './types';

/** A non-2xx answer from the API server (or a watch ERROR event), carrying the decoded metav1.Status. */
export class ApiError extends Error {
  /** HTTP status code (e.g. 404, 409, 410, 422). */
  readonly code: number;
  /** Kubernetes StatusReason, e.g. `NotFound`, `Conflict`, `AlreadyExists`, `Expired`, `Invalid`. */
  readonly reason: string;
  readonly status: Status;

  constructor(code: number, status: Status, context: string) {
    super(`${context}: ${code} ${status.reason ?? ''} ${status.message ?? ''}`.trim());
    this.name = 'ApiError';
    this.code = code;
    this.reason = status.reason ?? reasonForCode(code);
    this.status = status;
  }

  /** Build from a raw error body, which may be a Status JSON or arbitrary text. */
  static fromBody(code: number, body: string, context: string): ApiError {
    let status: Status;
    try {
      const parsed = JSON.parse(body) as Status;
      status = parsed && typeof parsed === 'object' && parsed.kind === 'Status' ? parsed : { message: body.slice(0, 500) };
    } catch {
      status = { message: body.slice(0, 500) };
    }
    return new ApiError(code, status, context);
  }
}

function reasonForCode(code: number): string {
  switch (code) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 405: return 'MethodNotAllowed';
    case 409: return 'Conflict';
    case 410: return 'Expired';
    case 415: return 'UnsupportedMediaType';
    case 422: return 'Invalid';
    case 429: return 'TooManyRequests';
    case 500: return 'InternalError';
    case 503: return 'ServiceUnavailable';
    case 504: return 'Timeout';
    default: return 'Unknown';
  }
}

function hasCode(err: unknown, code: number): err is ApiError {
  return err instanceof ApiError && err.code === code;
}

export const isNotFound = (err: unknown): err is ApiError => hasCode(err, 404);
/** 409 that is not AlreadyExists: an optimistic-concurrency (resourceVersion / precondition) failure. */
export const isConflict = (err: unknown): err is ApiError => hasCode(err, 409) && err.reason !== 'AlreadyExists';
export const isAlreadyExists = (err: unknown): err is ApiError => hasCode(err, 409) && err.reason === 'AlreadyExists';
/** 410 Gone: the requested resourceVersion has been compacted; relist. */
export const isGone = (err: unknown): err is ApiError => hasCode(err, 410);
export const isInvalid = (err: unknown): err is ApiError => hasCode(err, 422);
export const isForbidden = (err: unknown): err is ApiError => hasCode(err, 403);
