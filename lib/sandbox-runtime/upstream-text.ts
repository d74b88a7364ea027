// The error text upstream's Python runtime puts in `/execute`'s stderr (`Failed to execute command: <Python
// exception>`), reproduced for the failures both runtimes share, since scripts written against it match on it.

const PREFIX = 'Failed to execute command: ';

/** Python's repr() of a str: single quotes unless the text holds a single quote and no double quote. */
function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').split(quote).join('\\' + quote);
  return quote + escaped + quote;
}

/** OSError text of the errors that stop a program from starting, as Python words them. */
const OS_ERRORS: Readonly<Record<string, [number, string]>> = {
  ENOENT: [2, 'No such file or directory'],
  EACCES: [13, 'Permission denied'],
  ENOTDIR: [20, 'Not a directory'],
  ENOEXEC: [8, 'Exec format error'],
};

/** A command that could not start: `Failed to execute command: [Errno 2] No such file or directory: 'prog'`. */
export function startFailureText(code: string | undefined, program: string, fallback: string): string {
  const known = code ? OS_ERRORS[code] : undefined;
  return PREFIX + (known ? `[Errno ${known[0]}] ${known[1]}: ${pythonRepr(program)}` : fallback);
}

/** A command line that could not be parsed (shlex's own messages, e.g. `No closing quotation`). */
export function badCommandText(message: string): string {
  return PREFIX + message;
}

/** subprocess.TimeoutExpired: `Command '['sleep', '9']' timed out after 2.0 seconds`. */
export function timeoutText(argv: readonly string[], seconds: number): string {
  const pythonFloat = Number.isInteger(seconds) ? `${seconds}.0` : String(seconds);
  return `${PREFIX}Command '[${argv.map(pythonRepr).join(', ')}]' timed out after ${pythonFloat} seconds`;
}
