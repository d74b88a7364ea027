// CEL literals for the expressions the guardrails synthesize: user-supplied strings (names, registries, runtime
// classes) are always quoted and escaped, never pasted into an expression.

/** A CEL string literal. */
export const celString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A CEL list of string literals. */
export const celList = (values: readonly string[]) => `[${values.map(celString).join(', ')}]`;
