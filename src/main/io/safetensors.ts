// Hand-written rather than a dependency: the format is an 8-byte length, a JSON header and raw data,
// and writing it ourselves lets every corruption become one clear PlateauError naming the file.
import { invalid } from '../../shared/api/errors';
import { asReadError, decodeElements, elementCount, type NdArray, type NumericArray } from './ndarray';

/** Largest header we accept; real headers are kilobytes, a bigger length means a corrupted file. */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

const DTYPES: Record<string, { dtype: string; width: number }> = {
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
};

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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(MAX_SAFETENSORS_HEADER)) throw fail(`header length ${headerLen} exceeds the ${MAX_SAFETENSORS_HEADER}-byte limit (corrupted file?)`);
  const hLen = Number(headerLen);
  if (8 + hLen > bytes.length) throw fail(`truncated: header claims ${hLen} bytes but only ${bytes.length - 8} follow`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + hLen)));
  } catch {
    throw fail('header is not valid UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('header is not a JSON object');
  const dataStart = 8 + hLen;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, NdArray>();
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
      throw fail(`${where}: data_offsets span ${end - begin} bytes but shape ${JSON.stringify(shape)} of ${dtype} needs ${count * spec.width}`);
    }
    const slice = bytes.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, { shape: [...(shape as number[])], dtype: spec.dtype, data: decodeElements(slice, spec.dtype, count, true, `${source}: ${where}`) });
  }
  return { tensors, metadata };
}

function parseMetadata(entry: unknown, fail: (p: string) => Error): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail("'__metadata__' is not an object");
  const out: Record<string, string> = {};
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

const WRITE_DTYPE: Record<string, { name: string; width: number }> = {
  Float32Array: { name: 'F32', width: 4 },
  Float64Array: { name: 'F64', width: 8 },
  Int32Array: { name: 'I32', width: 4 },
};

/** Encodes tensors (and optional string metadata) as a .safetensors file. */
export function encodeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const parts: NumericArray[] = [];
  let offset = 0;
  // Wider types first keeps every tensor naturally aligned inside the data section.
  const names = Object.keys(tensors).sort((a, b) => tensors[b].data.BYTES_PER_ELEMENT - tensors[a].data.BYTES_PER_ELEMENT);
  for (const name of names) {
    if (name === '__metadata__') throw invalid("encodeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    const { shape, data } = tensors[name];
    const spec = WRITE_DTYPE[data.constructor.name];
    if (!spec) throw invalid(`encodeSafetensors: tensor '${name}' has unsupported type ${data.constructor.name} (use Float32Array, Float64Array or Int32Array)`);
    const count = elementCount(shape, `encodeSafetensors: tensor '${name}'`);
    if (count !== data.length) throw invalid(`encodeSafetensors: tensor '${name}' has shape ${JSON.stringify(shape)} (${count} elements) but ${data.length} values`);
    header[name] = { dtype: spec.name, shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    parts.push(data);
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const jsonBytes0 = new TextEncoder().encode(json);
  json += ' '.repeat((8 - (jsonBytes0.length % 8)) % 8);
  const jsonBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + jsonBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  let pos = 8 + jsonBytes.length;
  for (const data of parts) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    pos += data.byteLength;
  }
  return out;
}
