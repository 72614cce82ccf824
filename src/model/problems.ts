/** A problem found in an authoring document: where it is (file, JSON pointer) and what to do about it. */
export interface Problem {
  /** RFC 6901 JSON pointer into the document, e.g. `/workflows/0/nodes/3/url`. */
  pointer: string;
  message: string;
  severity: 'error' | 'warning';
  /** The file it came from, when validating files. */
  file?: string;
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointer(...parts: (string | number)[]): string {
  return parts.map((p) => '/' + pointerSegment(p)).join('');
}

/** `file: /pointer: message`, the form the CLI prints. */
export function formatProblem(p: Problem): string {
  const where = `${p.file ? p.file + ': ' : ''}${p.pointer || '/'}`;
  return `${where}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}
