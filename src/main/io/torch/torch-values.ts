// The allow-list of names a torch.save pickle may mention, and of callables it may "call": each one only
// builds plain data here. A pickle naming anything else is refused whole, since a data file has no
// reason to name os.system; allowed names we do not rebuild stay inert PyObjects. Nothing is ever executed.
import { invalid } from '../../../shared/api/errors';
import { decodeElements, dtypeWidth, nameTable } from '../ndarray';
import { describe, isTuple, tuple, PyGlobal, type PickleHooks, type PickleValue } from './pickle';

/** Element type of each torch storage class, in the NumPy spelling used by NdArray ('' = unsupported). */
const STORAGE_DTYPES = nameTable({
  FloatStorage: 'f4',
  DoubleStorage: 'f8',
  HalfStorage: 'f2',
  BFloat16Storage: 'bf16',
  LongStorage: 'i8',
  IntStorage: 'i4',
  ShortStorage: 'i2',
  CharStorage: 'i1',
  ByteStorage: 'u1',
  BoolStorage: 'b1',
  UntypedStorage: 'u1',
});

/** A storage named by a persistent id; its bytes live in the zip member `data/<key>`. */
export class TorchStorage {
  constructor(
    readonly storageType: string,
    /** NumPy-style dtype, or undefined when we cannot decode it (complex, quantized, float8...). */
    readonly dtype: string | undefined,
    readonly key: string,
    readonly location: string,
    readonly numel: number,
  ) {}
}

/** A tensor descriptor from `_rebuild_tensor_v2`: a strided view into a storage (no data yet). */
export class TorchTensor {
  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** A NumPy dtype as pickled: `numpy.dtype('f8', False, True)` then BUILD with the byte order. */
export class NumpyDtype {
  littleEndian = true;
  constructor(readonly spec: string) {}
}

/** A NumPy array from `_reconstruct` + BUILD(state = (version, shape, dtype, fortran, raw bytes)). */
export class NumpyArray {
  shape: number[] = [];
  dtype?: NumpyDtype;
  fortran = false;
  raw?: Uint8Array;
}

const NUMPY_MODULES = new Set(['numpy.core.multiarray', 'numpy._core.multiarray']);

/**
 * Names a checkpoint may hold besides torch.*: containers, and what NumPy arrays, scalars and dtypes
 * pickle to (`_codecs.encode` is how protocol 2 spells bytes). builtins are absent: state dicts and
 * training checkpoints do not name them (dicts, lists and tuples have opcodes of their own).
 */
const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'collections.defaultdict',
  '_codecs.encode',
  'numpy.dtype',
  'numpy.ndarray',
  ...[...NUMPY_MODULES].flatMap((m) => [`${m}._reconstruct`, `${m}.scalar`]),
]);

/** True for the names a torch.save checkpoint of tensors, containers and NumPy values can contain. */
export function isAllowedGlobal(g: PyGlobal): boolean {
  return g.module === 'torch' || g.module.startsWith('torch.') || ALLOWED_GLOBALS.has(g.qualified);
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const intList = (x: unknown): number[] | undefined => (Array.isArray(x) && x.every(isInt) ? [...(x as number[])] : undefined);

/**
 * Pickle hooks implementing torch's persistent ids and the allow-list; `source` names the pickle in
 * errors, `file` the file it came from (the same for a bare pickle).
 */
export function torchHooks(source: string, file = source): PickleHooks {
  const fail = (problem: string) => invalid(`${source}: ${problem}`, { source });
  const hooks: PickleHooks = {
    checkGlobal(g) {
      if (isAllowedGlobal(g)) return;
      throw invalid(
        `${file}: its pickle calls ${g.qualified}, which is not data; Plateau reads only torch, collections and numpy types, and ran nothing.`,
        { source: file, global: g.qualified },
      );
    },

    persistentLoad(pid) {
      if (!isTuple(pid) || pid[0] !== 'storage' || pid.length < 5)
        throw fail(`unsupported persistent id (${describe(pid)}); expected ('storage', type, key, location, numel)`);
      const [, type, key, location, numel] = pid;
      if (!(type instanceof PyGlobal)) throw fail(`storage type is a ${describe(type)}, not a class name`);
      if (typeof key !== 'string' || !isInt(numel) || numel < 0) throw fail(`malformed storage reference for key ${JSON.stringify(key)}`);
      const dtype = type.module === 'torch' || type.module === 'torch.storage' ? STORAGE_DTYPES[type.name] : undefined;
      return new TorchStorage(type.name, dtype, key, typeof location === 'string' ? location : String(location), numel);
    },

    call(fn, args) {
      const q = fn.qualified;
      switch (q) {
        case 'torch._utils._rebuild_tensor':
        case 'torch._utils._rebuild_tensor_v2': {
          const [storage, offset, size, stride] = args;
          const shape = intList(size);
          const strides = intList(stride);
          if (!(storage instanceof TorchStorage) || !isInt(offset) || offset < 0 || !shape || !strides || shape.length !== strides.length) {
            throw fail(`${q} got malformed arguments (storage, offset, size, stride)`);
          }
          return new TorchTensor(storage, offset, shape, strides);
        }
        case 'torch._utils._rebuild_parameter':
        case 'torch._utils._rebuild_parameter_with_state':
          return args[0];
        case 'torch._tensor._rebuild_from_type_v2': {
          // (func, new_type, args, state): a tensor subclass; keep the plain tensor when func is allowed.
          const [inner, , innerArgs] = args;
          return inner instanceof PyGlobal && Array.isArray(innerArgs) ? hooks.call(inner, innerArgs) : undefined;
        }
        case 'collections.OrderedDict':
        case 'collections.defaultdict': {
          const m = new Map<PickleValue, PickleValue>();
          const init = q === 'collections.defaultdict' ? undefined : args[0];
          if (Array.isArray(init)) for (const kv of init) if (Array.isArray(kv) && kv.length === 2) m.set(kv[0], kv[1]);
          return m;
        }
        case 'torch.Size':
          return intList(args[0]) ? tuple(intList(args[0])!) : undefined;
        case 'torch.device':
          return args.length === 2 && isInt(args[1]) ? `${String(args[0])}:${args[1]}` : String(args[0]);
        case '_codecs.encode': {
          // Protocol 2 has no bytes opcode: Python 3 pickles bytes as _codecs.encode(text, 'latin1').
          const [text, enc] = args;
          if (typeof text !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) return undefined;
          const out = new Uint8Array(text.length);
          for (let i = 0; i < text.length; i++) {
            const c = text.charCodeAt(i);
            if (c > 255) throw fail('_codecs.encode: character outside latin1');
            out[i] = c;
          }
          return out;
        }
        case 'numpy.dtype':
          return typeof args[0] === 'string' ? new NumpyDtype(args[0]) : undefined;
      }
      if (NUMPY_MODULES.has(fn.module) && fn.name === 'scalar') return numpyScalar(args, fail);
      if (NUMPY_MODULES.has(fn.module) && fn.name === '_reconstruct') return new NumpyArray();
      return undefined;
    },

    build(obj, state) {
      if (obj instanceof NumpyDtype) {
        if (isTuple(state) && state[1] === '>') obj.littleEndian = false;
        return true;
      }
      if (obj instanceof NumpyArray) {
        if (!isTuple(state) || state.length < 5) throw fail('numpy array state is malformed');
        const [, shape, dtype, fortran, raw] = state;
        obj.shape = intList(shape) ?? [];
        if (dtype instanceof NumpyDtype) obj.dtype = dtype;
        obj.fortran = fortran === true;
        if (raw instanceof Uint8Array) obj.raw = raw; // a list here means an object array: left undecoded
        return true;
      }
      return false;
    },
  };
  return hooks;
}

/** NumPy spelling of a pickled dtype spec ('f8', 'i8', 'b1'...), or undefined if we do not decode it. */
export function numpyDtype(d: NumpyDtype): string | undefined {
  const spec = d.spec === '?' || d.spec === 'bool' ? 'b1' : d.spec;
  return dtypeWidth(spec) !== undefined && spec !== 'bf16' ? spec : undefined;
}

function numpyScalar(args: readonly PickleValue[], fail: (p: string) => Error): PickleValue {
  const [dt, raw] = args;
  if (!(dt instanceof NumpyDtype) || !(raw instanceof Uint8Array)) return undefined;
  const dtype = numpyDtype(dt);
  if (!dtype) return undefined;
  if (raw.length !== dtypeWidth(dtype)) throw fail(`numpy scalar of dtype ${dt.spec} holds ${raw.length} bytes`);
  let x: number;
  try {
    x = decodeElements(raw, dtype, 1, dt.littleEndian, 'numpy scalar')[0];
  } catch {
    return undefined; // an int64 beyond 2^53 (a seed, a hash): keep it opaque rather than fail the file
  }
  return dtype === 'b1' ? x !== 0 : x;
}
