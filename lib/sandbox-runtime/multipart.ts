// Minimal multipart/form-data parser for `/upload` (upstream clients send one field `file`
// whose filename is the destination path). Bodies are size-capped before they are parsed.

export interface FormFile {
  readonly field: string;
  readonly filename: string;
  readonly content: Buffer;
}

/** The boundary from a `multipart/form-data; boundary=...` content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function headerParam(headers: string, name: string): string | undefined {
  const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
  const star = new RegExp(`;\\s*${name}\\*=(?:utf-8'')?([^;]+)`, 'i').exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1].trim());
  const plain = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]+)`, 'i').exec(disposition);
  return plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2];
}

/** All parts of `body` that carry a filename. Throws when the body is not well-formed. */
export function parseMultipartFiles(body: Buffer, boundary: string): FormFile[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const files: FormFile[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) throw new Error('multipart body has no boundary');
  for (;;) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') return files;
    const headersStart = afterDelimiter + 2; // skip CRLF
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    if (headersEnd < 0) throw new Error('multipart part has no header terminator');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd);
    if (next < 0) throw new Error('multipart body is not terminated');
    const headers = body.subarray(headersStart, headersEnd).toString('utf8');
    const filename = headerParam(headers, 'filename');
    if (filename !== undefined) {
      files.push({ field: headerParam(headers, 'name') ?? '', filename, content: body.subarray(headersEnd + 4, next) });
    }
    start = next + 2;
  }
}
