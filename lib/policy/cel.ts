// CEL literals for the expressions the guardrails synthesize: user-supplied strings (names, registries, runtime
// classes) are always quoted and escaped, never pasted into an expression.

/** A CEL string literal. */
export const celString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A CEL list of string literals. */
export const celList = (values: readonly string[]) => `[${values.map(celString).join(', ')}]`;

/**
 * A CEL string expression spelling `message(value)` with the value taken from the CEL expression `valueExpr`.
 * The wording comes from the same function the synth-time engine calls, so denials read like its findings.
 */
export function celFormat(message: (value: string) => string, valueExpr: string): string {
  // NUL cannot occur in the engine's wording, so it marks where the value goes.
  const hole = '\u0000';
  return message(hole).split(hole).map(celString).join(` + ${valueExpr} + `);
}

/** A CEL list holding the string expression `text` when the CEL condition `when` holds, else empty. */
export const celFindingIf = (when: string, text: string) => `(${when} ? [${text}] : [])`;
