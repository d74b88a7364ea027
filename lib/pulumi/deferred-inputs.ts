// Lets components take Pulumi Inputs (an image tag, a namespace or a replica count known only once another
// resource exists) while the builders stay pure functions of plain values. The builder runs on stand-ins
// (a unique placeholder per unknown string, a given number per unknown count), the stand-ins in its objects
// are swapped back for the Outputs, and once the Outputs resolve the builder and the guardrails run again on
// the real values: a value they reject fails every object that carries it, with the builder's own message.

import * as pulumi from '@pulumi/pulumi';
import { checkObject, type GuardrailPolicy, type PlainObject } from '../policy';
import { enforceGuardrails, rejectViolations } from './guardrails';
import type { KubernetesObject } from './kubernetes-resource';

/** A plain value, or one known once other resources exist (an Output or a Promise). */
export type Deferrable<T> = pulumi.Input<T>;

/**
 * `T` with every free-form string (not literal unions such as pull policies) anywhere inside it accepting
 * an Input: container images, env values, names of other objects.
 */
export type DeepInput<T> = T extends string
  ? string extends T ? pulumi.Input<string> : T
  : T extends readonly (infer U)[]
    ? readonly DeepInput<U>[]
    : T extends object ? { readonly [K in keyof T]: DeepInput<T[K]> } : T;

/** A number argument the builder needs a plain stand-in for, and the object field that gets the real value. */
export interface DeferredNumber {
  /** Where the number sits in the component's args, e.g. `['warmPools', 0, 'replicas']`. */
  readonly arg: readonly (string | number)[];
  /** What the builder sees instead: a value that passes its checks and implies nothing the real value must not. */
  readonly standIn: number;
  /** The object (kind and name) and its field (dotted path) that carry the value. */
  readonly target: { readonly kind: string; readonly name: string; readonly field: readonly string[] };
}

/** What a component builds and checks: the builder, its guardrail policy and the counts it may defer. */
export interface ComponentBuild<A> {
  readonly component: string;
  readonly build: (plain: A) => readonly PlainObject[];
  readonly guardrails: (plain: A) => GuardrailPolicy;
  readonly numbers?: readonly DeferredNumber[];
}

// Lower-case, digits and dashes: valid wherever builders validate names, images or label values.
const placeholderPrefix = 'pulumi-input-7f3a9c';
const placeholderPattern = /(pulumi-input-7f3a9c\d+x)/;

const isDeferred = (value: unknown): boolean => pulumi.Output.isInstance(value) || value instanceof Promise;

/**
 * Builds the component's objects, checking plain values at once and deferred ones when they resolve.
 * With no deferred values this is exactly `build(args)` after the guardrail check. Inputs must not feed
 * object names: a resource's name has to be known when it is registered.
 */
export function buildWithInputs<A>(args: object, spec: ComponentBuild<A>): KubernetesObject[] {
  const strings = new Map<string, pulumi.Output<string>>();
  const numbers = (spec.numbers ?? []).filter((n) => isDeferred(getPath(args, n.arg)));
  let plain = lift(args, strings) as A;
  for (const n of numbers) plain = setPath(plain, n.arg, n.standIn);
  const objects = spec.build(plain);
  if (strings.size === 0 && numbers.length === 0) {
    enforceGuardrails(spec.component, objects, spec.guardrails(plain));
    return [...objects] as KubernetesObject[];
  }
  // The stand-ins passed the builder; the guardrails judge every field now except those holding a stand-in,
  // and everything again, as one set, once the real values are known.
  const policy = spec.guardrails(plain);
  rejectViolations(spec.component, objects.flatMap((obj) => checkObject(obj, policy)
    .filter((v) => !holdsStandIn(obj, v.path, numbers))));
  const numberOutputs = numbers.map((n) => pulumi.output(getPath(args, n.arg) as pulumi.Input<number>));
  const checked = pulumi.all([pulumi.all([...strings.values()]), pulumi.all(numberOutputs)]).apply(([texts, counts]) => {
    const resolvedStrings = new Map([...strings.keys()].map((key, i) => [key, texts[i]]));
    let real = resolveStrings(plain, resolvedStrings) as A;
    numbers.forEach((n, i) => { real = setPath(real, n.arg, counts[i]); });
    enforceGuardrails(spec.component, spec.build(real), spec.guardrails(real));
    return true;
  });
  const gated = <T>(value: pulumi.Input<T>): pulumi.Output<T> => pulumi.all([checked, value]).apply(([, v]) => v as T);
  let result = substitute(objects, strings, gated) as KubernetesObject[];
  numbers.forEach((n, i) => {
    result = result.map((obj) => (obj.kind === n.target.kind && obj.metadata?.name === n.target.name
      ? setPath(obj, n.target.field, gated(numberOutputs[i]))
      : obj));
  });
  return result;
}

/** Whether the field at a violation's path (`a.b[0].c`) holds a placeholder or a deferred number's stand-in. */
function holdsStandIn(obj: PlainObject, path: string, numbers: readonly DeferredNumber[]): boolean {
  const keys = path.split(/\.|\[(\d+)\]/).filter((key) => key !== undefined && key !== '');
  const value = getPath(obj, keys.map((key) => (/^\d+$/.test(key) ? Number(key) : key)));
  if (typeof value === 'string' && value.includes(placeholderPrefix)) return true;
  return numbers.some((n) => n.target.kind === obj.kind && n.target.name === obj.metadata?.name && n.target.field.join('.') === path);
}

function lift(value: unknown, outputs: Map<string, pulumi.Output<string>>): unknown {
  if (isDeferred(value)) {
    const placeholder = `${placeholderPrefix}${outputs.size}x`;
    outputs.set(placeholder, pulumi.output(value as pulumi.Input<string>));
    return placeholder;
  }
  if (Array.isArray(value)) return value.map((item) => lift(item, outputs));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lift(v, outputs)]));
  return value;
}

/** Object literals of any JavaScript realm (builders may structuredClone), never Outputs or class instances. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (Object.prototype.toString.call(value) !== '[object Object]' || pulumi.Output.isInstance(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Replaces every placeholder in every string of `value` (deep) through `replace`. */
function mapStrings(value: unknown, replace: (text: string) => unknown): unknown {
  if (typeof value === 'string') return value.includes(placeholderPrefix) ? replace(value) : value;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, replace));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, replace)]));
  return value;
}

function resolveStrings(value: unknown, resolved: Map<string, string>): unknown {
  return mapStrings(value, (text) => text.split(placeholderPattern).map((part) => resolved.get(part) ?? part).join(''));
}

function substitute(
  value: unknown, outputs: Map<string, pulumi.Output<string>>, gated: (v: pulumi.Input<string>) => pulumi.Output<string>,
): unknown {
  return mapStrings(value, (text) => {
    const parts = text.split(placeholderPattern).filter((part) => part !== '');
    return gated(pulumi.all(parts.map((part) => outputs.get(part) ?? part)).apply((texts) => texts.join('')));
  });
}

function getPath(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);
}

/** A copy of `value` with `path` set (intermediate objects and arrays copied, never mutated). */
function setPath<T>(value: T, path: readonly (string | number)[], leaf: unknown): T {
  if (path.length === 0) return leaf as T;
  const [key, ...rest] = path;
  const node = value as unknown as Record<string | number, unknown>;
  const child = setPath(node?.[key], rest, leaf);
  if (Array.isArray(node)) return node.map((item, i) => (i === key ? child : item)) as unknown as T;
  return { ...node, [key]: child } as T;
}
