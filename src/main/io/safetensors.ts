// Hand-written rather than a dependency: the format is an 8-byte length, a JSON header and raw data,
// and writing it ourselves lets every corruption become one clear PlateauError naming the file.
import { invalid } from '../../shared/api/errors';
import { asReadError, decodeElements, elementCount, nameTable, type NdArray } from './ndarray';

/** Largest header we accept; real headers are kilobytes, a bigger length means a corrupted file. */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

const DTYPES = nameTable<{ dtype: string; width: number }>({
  F16: { dtype: 'f2', width: 2 },
  BF16: { dtype: 'bf16', width: 2 },
  F32: { dtype: 'f4', width: 4 },
  F64: { dtype: 'f8', width: 8 },
  I8: { dtype: 'i1', width: 1 },
  I16: { dtype: 'i2', width: 2 },
  I32: { dtype: 'i4', width: 4 },
  I64: { dtype: 'i8', width: 8 },
  U8: { dtype: 'u1', width: 1 },
  U16: { dtype: 'u2', width: 2 },
  U32: { dtype: 'u4', width: 4 },
  U64: { dtype: 'u8', width: 8 },
  BOOL: { dtype: 'b1', width: 1 },
});

export interface Safetensors {
  tensors: Map<string, NdArray>;
  metadata: Record<string, string>;
}

/** Parses a whole .safetensors file; F16/BF16 widen to float32, I64/U64 become exact float64. */
export function parseSafetensors(bytes: Uint8Array, source: string): Safetensors {
  try {
    return parseUnsafe(bytes, source);
  } catch (err) {
    throw asReadError(source, '.safetensors file', err);
  }
}

function parseUnsafe(bytes: Uint8Array, source: string): Safetensors {
  const fail = (problem: string) => invalid(`${source}: ${problem}`, { source });
  if (bytes.length < 8) throw fail(`truncated: ${bytes.length} bytes, too short for the 8-byte header length`);
  const hLen = headerLength(bytes, bytes.length, source);
  const { entries, metadata } = parseHeader(bytes.subarray(8, 8 + hLen), bytes.length - 8 - hLen, source);
  const tensors = new Map<string, NdArray>();
  for (const e of entries) {
    const slice = bytes.subarray(8 + hLen + e.begin, 8 + hLen + e.end);
    tensors.set(e.name, {
      shape: e.shape,
      dtype: e.dtype,
      data: decodeElements(slice, e.dtype, e.count, true, `${source}: tensor '${e.name}'`),
    });
  }
  return { tensors, metadata };
}

/** A tensor's place in the data section, checked against its shape and the section's size. */
export interface SafetensorsEntry {
  name: string;
  shape: number[];
  /** NdArray's NumPy spelling (F32 -> 'f4'). */
  dtype: string;
  count: number;
  begin: number;
  end: number;
}

/** The JSON header's length from the first 8 bytes, checked against the limit and the file's size. */
export function headerLength(first8: Uint8Array, fileSize: number, source: string): number {
  const fail = (problem: string) => invalid(`${source}: ${problem}`, { source });
  if (fileSize < 8 || first8.length < 8) throw fail(`truncated: ${fileSize} bytes, too short for the 8-byte header length`);
  const headerLen = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(MAX_SAFETENSORS_HEADER))
    throw fail(`header length ${headerLen} exceeds the ${MAX_SAFETENSORS_HEADER}-byte limit (corrupted file?)`);
  const hLen = Number(headerLen);
  if (8 + hLen > fileSize) throw fail(`truncated: header claims ${hLen} bytes but only ${fileSize - 8} follow`);
  return hLen;
}

/** Parses the JSON header alone; `dataLen` is the size of the data section that follows it. */
export function parseHeader(
  json: Uint8Array,
  dataLen: number,
  source: string,
): { entries: SafetensorsEntry[]; metadata: Record<string, string> } {
  const fail = (problem: string) => invalid(`${source}: ${problem}`, { source });
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw fail('header is not valid UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('header is not a JSON object');
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, fail);
      continue;
    }
    const where = `tensor '${name}'`;
    if (typeof entry !== 'object' || entry === null) throw fail(`${where}: header entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const spec = typeof dtype === 'string' ? DTYPES[dtype] : undefined;
    if (!spec) throw fail(`${where}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
    if (!Array.isArray(shape)) throw fail(`${where}: 'shape' is not a list`);
    const count = elementCount(shape as number[], `${source}: ${where}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw fail(`${where}: 'data_offsets' must be [begin, end] with non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLen) throw fail(`${where}: data_offsets [${begin}, ${end}] lie outside the ${dataLen}-byte data section`);
    if (end - begin !== count * spec.width) {
      throw fail(
        `${where}: data_offsets span ${end - begin} bytes but shape ${JSON.stringify(shape)} of ${dtype} needs ${count * spec.width}`,
      );
    }
    // The parsed header is dropped after this: its shape arrays are taken over, not copied (100 000 fewer arrays).
    entries.push({ name, shape: shape as number[], dtype: spec.dtype, count, begin, end });
  }
  checkCoverage(entries, dataLen, fail);
  return { entries, metadata };
}

/**
 * The format's own rule: the tensors tile the data section exactly, in some order, with no gap,
 * overlap or trailing bytes. Without it, bytes inserted into the data would shift every later tensor
 * and still import. Sorting keeps this O(n log n) for a header of 100 000 tensors.
 */
function checkCoverage(entries: readonly SafetensorsEntry[], dataLen: number, fail: (p: string) => Error): void {
  const byStart = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: SafetensorsEntry | undefined;
  for (const e of byStart) {
    if (e.begin > at) {
      const before = prev ? `tensor '${prev.name}' ends at byte ${at}` : 'the data section starts at byte 0';
      const gap = `${e.begin - at} bytes belong to no tensor (bytes inserted, or a tensor missing)`;
      throw fail(`${before} but tensor '${e.name}' starts at ${e.begin}: ${gap}`);
    }
    if (e.begin < at) throw fail(`tensor '${e.name}' [${e.begin}, ${e.end}) overlaps tensor '${prev!.name}', which ends at byte ${at}`);
    at = e.end;
    prev = e;
  }
  if (at !== dataLen) {
    throw fail(`the tensors cover ${at} bytes of the ${dataLen}-byte data section: ${dataLen - at} trailing bytes belong to no tensor`);
  }
}

function parseMetadata(entry: unknown, fail: (p: string) => Error): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail("'__metadata__' is not an object");
  // No prototype: a key '__proto__' is kept as data instead of vanishing into a prototype assignment.
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string') throw fail(`'__metadata__.${k}' is not a string`);
    out[k] = v;
  }
  return out;
}

/** A tensor to write: the array type decides the dtype (Float32Array F32, Float64Array F64, Int32Array I32). */
export interface TensorToWrite {
  shape: readonly number[];
  data: Float32Array | Float64Array | Int32Array;
}

const WRITE_DTYPE: Record<string, { name: HeaderSpec['dtype']; width: number }> = {
  Float32Array: { name: 'F32', width: 4 },
  Float64Array: { name: 'F64', width: 8 },
  Int32Array: { name: 'I32', width: 4 },
};

/** Encodes tensors (and optional string metadata) as a .safetensors file. */
export function encodeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const specs: HeaderSpec[] = [];
  // Wider types first keeps every tensor naturally aligned inside the data section.
  const names = Object.keys(tensors).sort((a, b) => tensors[b].data.BYTES_PER_ELEMENT - tensors[a].data.BYTES_PER_ELEMENT);
  for (const name of names) {
    const { shape, data } = tensors[name];
    const spec = WRITE_DTYPE[data.constructor.name];
    if (!spec)
      throw invalid(
        `encodeSafetensors: tensor '${name}' has unsupported type ${data.constructor.name} (use Float32Array, Float64Array or Int32Array)`,
      );
    const count = elementCount(shape, `encodeSafetensors: tensor '${name}'`);
    if (count !== data.length)
      throw invalid(`encodeSafetensors: tensor '${name}' has shape ${JSON.stringify(shape)} (${count} elements) but ${data.length} values`);
    specs.push({ name, dtype: spec.name, shape, byteLength: data.byteLength });
  }
  const head = encodeSafetensorsHeader(specs, metadata);
  const out = new Uint8Array(head.length + specs.reduce((n, t) => n + t.byteLength, 0));
  out.set(head);
  let pos = head.length;
  for (const name of names) {
    const data = tensors[name].data;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    pos += data.byteLength;
  }
  return out;
}

/** One tensor of a header to write: its data follows in this order, `byteLength` bytes each. */
export interface HeaderSpec {
  name: string;
  dtype: 'F32' | 'F64' | 'I32' | 'BF16' | 'F16';
  shape: readonly number[];
  byteLength: number;
}

/** The 8-byte length and JSON header for tensors laid out back to back in `specs` order. */
export function encodeSafetensorsHeader(specs: readonly HeaderSpec[], metadata?: Record<string, string>): Uint8Array {
  // No prototype: a tensor named 'constructor' or '__proto__' is a key like any other, not an inherited one.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const { name, dtype, shape, byteLength } of specs) {
    if (name === '__metadata__') throw invalid("encodeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (name in header) throw invalid(`encodeSafetensors: tensor '${name}' appears twice`);
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + byteLength] };
    offset += byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}
