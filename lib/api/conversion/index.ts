// v1alpha1, served beside v1beta1 (storage) for upstream users: its types and the conversion both ways.
export * from './v1alpha1-types';
export * from './convert';
export * from './review';
