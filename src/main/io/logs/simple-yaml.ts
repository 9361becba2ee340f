// The YAML that W&B's config.yaml and MLflow's meta.yaml use: block mappings and sequences by indentation,
// plain, quoted and block (| >) scalars, short flow lists. No YAML package is installed, and these files
// need no anchors, tags or multi-document streams; anything beyond this subset is refused by line number.
import { invalid } from '../../../shared/api/errors';

export type YamlValue = null | boolean | number | string | YamlValue[] | { [k: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  no: number;
}

export function parseYaml(source: string, file: string): YamlValue {
  const lines: Line[] = [];
  source.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.replace(/\s+$/, '');
    const body = text.trimStart();
    if (!body || body.startsWith('#') || body === '---' || body === '...') return;
    if (/^\t/.test(text)) throw fail(file, i + 1, 'is indented with a tab');
    lines.push({ indent: text.length - body.length, text: body, no: i + 1 });
  });
  if (!lines.length) return null;
  const p = { lines, at: 0, file };
  const v = block(p, lines[0].indent);
  if (p.at < lines.length) throw fail(file, lines[p.at].no, 'is not part of the document above it (indentation?)');
  return v;
}

const fail = (file: string, line: number, problem: string) => invalid(`${file}: line ${line} ${problem}`, { source: file, line });

interface Parser {
  lines: Line[];
  at: number;
  file: string;
}

function block(p: Parser, indent: number): YamlValue {
  const first = p.lines[p.at];
  return first.text === '-' || first.text.startsWith('- ') ? sequence(p, indent) : mapping(p, indent);
}

function sequence(p: Parser, indent: number): YamlValue[] {
  const out: YamlValue[] = [];
  while (p.at < p.lines.length && p.lines[p.at].indent === indent && /^-( |$)/.test(p.lines[p.at].text)) {
    const line = p.lines[p.at];
    const rest = line.text.slice(1).trimStart();
    if (!rest) {
      p.at++;
      out.push(p.at < p.lines.length && p.lines[p.at].indent > indent ? block(p, p.lines[p.at].indent) : null);
    } else if (keyValue(rest)) {
      // `- key: value` opens a mapping whose further keys line up with `key`
      p.lines[p.at] = { indent: indent + line.text.length - rest.length, text: rest, no: line.no };
      out.push(mapping(p, p.lines[p.at].indent));
    } else {
      p.at++;
      out.push(scalar(rest, p.file, line.no));
    }
  }
  return out;
}

const keyValue = (text: string): RegExpExecArray | null =>
  /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#\-[{][^:#]*?|-[^\s][^:#]*?)\s*:(?:\s+(.*))?$/.exec(text);

function mapping(p: Parser, indent: number): Record<string, YamlValue> {
  const out: Record<string, YamlValue> = {};
  while (p.at < p.lines.length && p.lines[p.at].indent === indent) {
    const line = p.lines[p.at];
    const m = keyValue(line.text);
    if (!m) throw fail(p.file, line.no, `is not 'key: value' (${line.text.slice(0, 40)})`);
    const key = String(scalar(m[1], p.file, line.no));
    const rest = m[2]?.trim() ?? '';
    p.at++;
    const next = p.lines[p.at];
    if (rest === '' || rest.startsWith('#')) {
      // a nested block; a sequence may sit at the key's own indentation
      if (next && (next.indent > indent || (next.indent === indent && /^-( |$)/.test(next.text)))) out[key] = block(p, next.indent);
      else out[key] = null;
    } else if (rest === '|' || rest === '>' || /^[|>][-+]?$/.test(rest)) {
      const parts: string[] = [];
      while (p.at < p.lines.length && p.lines[p.at].indent > indent) parts.push(p.lines[p.at++].text);
      out[key] = rest.startsWith('|') ? parts.join('\n') : parts.join(' ');
    } else out[key] = scalar(rest, p.file, line.no);
  }
  return out;
}

function scalar(raw: string, file: string, no: number): YamlValue {
  const s = raw.trim();
  if (s.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(s)) throw fail(file, no, 'has an unterminated quoted string');
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (s.startsWith('"')) {
    try {
      return JSON.parse(s.replace(/\s+#.*$/, '')) as string;
    } catch {
      throw fail(file, no, 'has a double-quoted string this reader cannot take');
    }
  }
  const plain = s.replace(/\s+#.*$/, '');
  if (plain === '[]') return [];
  if (plain === '{}') return {};
  if (plain.startsWith('[') && plain.endsWith(']'))
    return plain
      .slice(1, -1)
      .split(',')
      .map((x) => scalar(x, file, no));
  if (plain.startsWith('{') || plain.startsWith('&') || plain.startsWith('*') || plain.startsWith('!')) {
    throw fail(file, no, 'uses YAML (a flow mapping, anchor, alias or tag) that this reader does not take');
  }
  if (plain === '' || plain === '~' || plain === 'null' || plain === 'Null' || plain === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(plain)) return true;
  if (/^(false|False|FALSE)$/.test(plain)) return false;
  if (/^[-+]?(0|[1-9][0-9_]*)$/.test(plain)) return Number(plain.replace(/_/g, ''));
  if (/^[-+]?(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?$/.test(plain) && /\d/.test(plain)) return Number(plain.replace(/_/g, ''));
  if (/^[-+]?\.(inf|Inf|INF)$/.test(plain)) return plain.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(plain)) return NaN;
  return plain;
}
