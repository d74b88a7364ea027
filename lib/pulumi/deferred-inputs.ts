// Lets components take Pulumi Inputs (e.g. an image tag known only after another resource is created) while
// the builders stay pure functions of plain values: each unknown string is replaced by a unique placeholder
// for the build, and the placeholder is swapped back for the Output in the built objects' string fields.

import * as pulumi from '@pulumi/pulumi';

// Lower-case, digits and dashes: valid wherever builders validate names, images or label values.
const placeholderPrefix = 'pulumi-input-7f3a9c';
const placeholderPattern = /(pulumi-input-7f3a9c\d+x)/;

/**
 * Calls `build` with every Input-valued string in `args` replaced by a placeholder, then returns the built
 * value with each placeholder occurrence replaced by the Output (interpolated into its surrounding string).
 * Plain strings pass through untouched, so a build with no Outputs yields exactly the builder's objects.
 * Inputs must not feed object names: a resource's name has to be known when it is registered.
 */
export function buildWithInputs<A, R>(args: object, build: (plain: A) => R): R {
  const outputs = new Map<string, pulumi.Output<string>>();
  const lift = (value: unknown): unknown => {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
      const placeholder = `${placeholderPrefix}${outputs.size}x`;
      outputs.set(placeholder, pulumi.output(value as pulumi.Input<string>));
      return placeholder;
    }
    if (Array.isArray(value)) return value.map(lift);
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lift(v)]));
    return value;
  };
  const built = build(lift(args) as A);
  return outputs.size === 0 ? built : (substitute(built, outputs) as R);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function substitute(value: unknown, outputs: Map<string, pulumi.Output<string>>): unknown {
  if (typeof value === 'string') return value.includes(placeholderPrefix) ? interpolate(value, outputs) : value;
  if (Array.isArray(value)) return value.map((item) => substitute(item, outputs));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, outputs)]));
  }
  return value;
}

function interpolate(text: string, outputs: Map<string, pulumi.Output<string>>): pulumi.Output<string> {
  const parts = text.split(placeholderPattern).filter((part) => part !== '');
  return pulumi.all(parts.map((part) => outputs.get(part) ?? part)).apply((resolved) => resolved.join(''));
}
