// POSIX shlex-style splitting of a command line into argv, matching Python's shlex.split() (which upstream's
// runtime uses), so `/execute` runs the same programs as upstream's runtime without ever invoking a shell.
// Python's rules: whitespace is only space, tab, CR and LF; `#` is an ordinary character (split() turns
// comments off); inside double quotes a backslash escapes only `"` and `\`; single quotes escape nothing.

const WHITESPACE = ' \t\r\n';

/** Splits `line` like Python's `shlex.split(line)` (posix=True). Throws on unterminated quotes or escapes. */
export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\') {
        if (i + 1 >= line.length) throw new Error('No escaped character');
        const next = line[++i]!;
        word += next === '"' || next === '\\' ? next : ch + next;
      } else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new Error('No escaped character');
      word += line[++i];
      inWord = true;
    } else if (WHITESPACE.includes(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error('No closing quotation');
  if (inWord) words.push(word);
  return words;
}
