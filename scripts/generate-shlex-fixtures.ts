// Regenerates test/unit/sandbox-runtime/fixtures/shlex.json from Python's own shlex.split (upstream's runtime
// splits `/execute` command strings with it), so our splitter is tested against real output, not our reading of
// it. Run: npx tsx scripts/generate-shlex-fixtures.ts  (needs python3 on PATH).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const INPUTS = [
  'ls -la  /tmp',
  `echo 'a b' "c \\"d\\"" e\\ f`,
  `python -c 'print("hi")' # comment`,
  'echo a #b c',
  'a#b #c',
  `a''b ""`,
  `''`,
  `a"b c"d`,
  `"\\$HOME" "\\\`x\\\`" "a\\\\b" "a\\zb"`,
  `'a\\b' 'it'"'"'s'`,
  'tab\tsep\nnewline\r\nend',
  'form\x0bfeed\x0cx',
  'non\u00a0breaking',
  'trailing\\ ',
  'line\\\ncont',
  'utf8 ünïcødé 日本',
  `echo "unterminated`,
  `echo 'unterminated`,
  'echo trailing\\',
  `echo "esc at end\\`,
  '   ',
  '',
  'a;b|c&&d>e<f',
  '$(rm -rf /) `id`',
];

const python = `
import json, shlex, sys
out = []
for line in json.load(sys.stdin):
    try:
        out.append({"input": line, "output": shlex.split(line)})
    except ValueError as err:
        out.append({"input": line, "error": str(err)})
print(json.dumps(out, ensure_ascii=False, indent=1))
`;

const fixtures = execFileSync('python3', ['-c', python], { input: JSON.stringify(INPUTS), encoding: 'utf8' });
writeFileSync(join(__dirname, '..', 'test', 'unit', 'sandbox-runtime', 'fixtures', 'shlex.json'), fixtures);
