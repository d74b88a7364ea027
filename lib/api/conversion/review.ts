// The ConversionReview exchange (apiextensions.k8s.io/v1) the API server sends to a CRD conversion webhook.

import { convertObject } from './convert';

export interface ConversionReview {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'ConversionReview';
  request?: { uid: string; desiredAPIVersion: string; objects: unknown[] };
  response?: {
    uid: string;
    convertedObjects: object[];
    result: { status: 'Success' | 'Failure'; message?: string };
  };
}

/** The response to a ConversionReview: every object converted, or a Failure naming the object and field. */
export function reviewConversion(review: ConversionReview): ConversionReview {
  const request = review.request;
  if (!request || typeof request.uid !== 'string' || typeof request.desiredAPIVersion !== 'string' || !Array.isArray(request.objects)) {
    throw new Error('ConversionReview.request must have uid, desiredAPIVersion and objects');
  }
  const base = { apiVersion: 'apiextensions.k8s.io/v1' as const, kind: 'ConversionReview' as const };
  try {
    const convertedObjects = request.objects.map((obj) => convertObject(obj, request.desiredAPIVersion));
    return { ...base, response: { uid: request.uid, convertedObjects, result: { status: 'Success' } } };
  } catch (err) {
    return { ...base, response: { uid: request.uid, convertedObjects: [], result: { status: 'Failure', message: (err as Error).message } } };
  }
}
