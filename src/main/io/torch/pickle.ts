// A restricted, hand-written unpickler. Python's pickle runs arbitrary code by design (GLOBAL + REDUCE
// calls any importable function), and no JS library offers a data-only subset with our error contract,
// so we interpret the opcodes ourselves and never call anything: GLOBAL only names a callable (and the
// caller may refuse the name outright, `hooks.checkGlobal`), and REDUCE/NEWOBJ either go through the
// caller's allow-list (`hooks.call`) or yield an inert PyObject.
import { invalid } from '../../../shared/api/errors';

export type PickleValue = unknown;

const TUPLE = Symbol('tuple');
/** A Python tuple: a frozen array carrying a marker, so callers can tell it from a list. */
export type PyTuple = readonly PickleValue[] & { readonly [TUPLE]: true };
export const isTuple = (x: unknown): x is PyTuple => Array.isArray(x) && (x as unknown as Record<symbol, unknown>)[TUPLE] === true;
export function tuple(items: PickleValue[]): PyTuple {
  Object.defineProperty(items, TUPLE, { value: true });
  return Object.freeze(items) as unknown as PyTuple;
}

/** A name from GLOBAL/STACK_GLOBAL: only ever looked up, never imported or called. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** The inert result of "calling" a global outside the allow-list: what it would have been built from. */
export class PyObject {
  state?: PickleValue;
  listItems?: PickleValue[];
  dictItems?: Map<PickleValue, PickleValue>;
  constructor(
    readonly __global__: string,
    readonly args: readonly PickleValue[],
  ) {}
}

export interface PickleHooks {
  /** Vets every GLOBAL/STACK_GLOBAL as it is read; throws to refuse the whole pickle. */
  checkGlobal?(g: PyGlobal): void;
  /** BINPERSID: turns a persistent id (torch: a storage reference) into a value. */
  persistentLoad(pid: PickleValue): PickleValue;
  /** REDUCE/NEWOBJ on an allow-listed global; `undefined` means "not allowed", giving a PyObject. */
  call(fn: PyGlobal, args: readonly PickleValue[]): PickleValue | undefined;
  /** BUILD on a value the hooks made; return true when handled. */
  build?(obj: PickleValue, state: PickleValue): boolean;
}

/** Interprets a pickle (protocols 2-5, the opcodes torch and NumPy emit) into plain data. */
export function unpickle(bytes: Uint8Array, source: string, hooks: PickleHooks): PickleValue {
  const fail = (problem: string, at: number, hint = '') => invalid(`${source}: ${problem} at byte ${at} of the pickle${hint}`, { source });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;
  let op = 0;
  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.length) throw fail(`truncated: opcode 0x${op.toString(16)} needs ${n} more bytes`, pos);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const u64 = () => {
    need(8);
    const x = Number(view.getBigUint64(pos, true));
    pos += 8;
    if (!Number.isSafeInteger(x)) throw fail('length is implausibly large', pos - 8);
    return x;
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const utf8 = (n: number) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(take(n));
    } catch (err) {
      if (err instanceof TypeError) throw fail('string is not valid UTF-8', pos);
      throw err;
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail('truncated: GLOBAL name has no newline', pos);
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1])) throw fail('stack underflow', pos - 1);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw fail('stack underflow', pos - 1);
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) throw fail('no MARK to pop to', pos - 1);
    return stack.splice(m);
  };
  const get = (i: number) => {
    if (!memo.has(i)) throw fail(`memo entry ${i} was never stored`, pos);
    return memo.get(i);
  };
  const call = (fn: PickleValue, args: PickleValue) => {
    if (!(fn instanceof PyGlobal)) throw fail(`cannot call a ${describe(fn)}`, pos - 1);
    if (!Array.isArray(args)) throw fail(`arguments of ${fn.qualified} are a ${describe(args)}, not a tuple`, pos - 1);
    return hooks.call(fn, args) ?? new PyObject(fn.qualified, args);
  };
  const named = (g: PyGlobal) => (hooks.checkGlobal?.(g), g);
  const setItems = (target: PickleValue, kv: PickleValue[]) => {
    if (kv.length % 2) throw fail('odd number of items for SETITEMS', pos - 1);
    let map: Map<PickleValue, PickleValue>;
    if (target instanceof Map) map = target;
    else if (target instanceof PyObject) map = target.dictItems ??= new Map();
    else throw fail(`SETITEM on a ${describe(target)}`, pos - 1);
    for (let i = 0; i < kv.length; i += 2) map.set(kv[i], kv[i + 1]);
  };
  const append = (target: PickleValue, items: PickleValue[]) => {
    // A loop, not push(...items): spreading a long list would overflow the call stack.
    if (Array.isArray(target) && !isTuple(target)) for (const x of items) target.push(x);
    else if (target instanceof PyObject) for (const x of items) (target.listItems ??= []).push(x);
    else if (target instanceof Set) items.forEach((x) => target.add(x));
    else throw fail(`APPEND on a ${describe(target)}`, pos - 1);
  };

  for (;;) {
    if (pos >= bytes.length) throw fail('truncated: no STOP opcode', pos);
    op = bytes[pos++];
    switch (op) {
      case 0x80:
        u8();
        break; // PROTO
      case 0x95:
        u64();
        break; // FRAME: framing is only a read-ahead hint
      case 0x2e: {
        // STOP
        if (stack.length !== 1 || marks.length) throw fail(`STOP with ${stack.length} values on the stack`, pos - 1);
        return stack[0];
      }
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push(tuple([]));
        break; // EMPTY_TUPLE
      case 0x8f:
        stack.push(new Set());
        break; // EMPTY_SET
      case 0x28:
        marks.push(stack.length);
        break; // MARK
      case 0x30:
        pop();
        break; // POP
      case 0x31:
        popMark();
        break; // POP_MARK
      case 0x32:
        stack.push(top());
        break; // DUP
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const kv = popMark();
        setItems(top(), kv);
        break;
      } // SETITEMS
      case 0x61: {
        const v = pop();
        append(top(), [v]);
        break;
      } // APPEND
      case 0x65:
      case 0x90: {
        const items = popMark();
        append(top(), items);
        break;
      } // APPENDS, ADDITEMS
      case 0x91:
        stack.push(new Set(popMark()));
        break; // FROZENSET
      case 0x4a:
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break; // BININT
      case 0x4b:
        stack.push(u8());
        break; // BININT1
      case 0x4d:
        stack.push(u16());
        break; // BININT2
      case 0x8a:
        stack.push(longLE(take(u8())));
        break; // LONG1
      case 0x8b: {
        // LONG4: anything past 64 bytes is not a checkpoint number, and costs quadratic time
        const n = u32();
        if (n > 64) throw fail(`LONG4 of ${n} bytes is implausibly large`, pos);
        stack.push(longLE(take(n)));
        break;
      }
      case 0x47:
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break; // BINFLOAT (big endian)
      case 0x8c:
        stack.push(utf8(u8()));
        break; // SHORT_BINUNICODE
      case 0x58:
        stack.push(utf8(u32()));
        break; // BINUNICODE
      case 0x8d:
        stack.push(utf8(u64()));
        break; // BINUNICODE8
      case 0x55:
        stack.push(new TextDecoder('latin1').decode(take(u8())));
        break; // SHORT_BINSTRING (py2 str)
      case 0x54:
        stack.push(new TextDecoder('latin1').decode(take(u32())));
        break; // BINSTRING
      case 0x43:
        stack.push(take(u8()).slice());
        break; // SHORT_BINBYTES
      case 0x42:
        stack.push(take(u32()).slice());
        break; // BINBYTES
      case 0x8e:
      case 0x96:
        stack.push(take(u64()).slice());
        break; // BINBYTES8, BYTEARRAY8
      case 0x85:
        stack.push(tuple([pop()]));
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        stack.push(tuple([pop(), b]));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push(tuple([pop(), b, c]));
        break;
      } // TUPLE3
      case 0x74:
        stack.push(tuple(popMark()));
        break; // TUPLE
      case 0x6c:
        stack.push(popMark());
        break; // LIST
      case 0x64: {
        const kv = popMark();
        const m = new Map();
        stack.push(m);
        setItems(m, kv);
        break;
      } // DICT
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x71:
        memo.set(u8(), top());
        break; // BINPUT
      case 0x72:
        memo.set(u32(), top());
        break; // LONG_BINPUT
      case 0x94:
        memo.set(memo.size, top());
        break; // MEMOIZE
      case 0x68:
        stack.push(get(u8()));
        break; // BINGET
      case 0x6a:
        stack.push(get(u32()));
        break; // LONG_BINGET
      case 0x63: {
        const mod = line();
        stack.push(named(new PyGlobal(mod, line())));
        break;
      } // GLOBAL
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const mod = pop();
        if (typeof mod !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL needs two strings', pos - 1);
        stack.push(named(new PyGlobal(mod, name)));
        break;
      }
      case 0x52: {
        const args = pop();
        stack.push(call(pop(), args));
        break;
      } // REDUCE
      case 0x81: {
        const args = pop();
        stack.push(call(pop(), args));
        break;
      } // NEWOBJ
      case 0x92: {
        pop();
        const args = pop();
        stack.push(call(pop(), args));
        break;
      } // NEWOBJ_EX (kwargs dropped)
      case 0x51:
        stack.push(hooks.persistentLoad(pop()));
        break; // BINPERSID
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (hooks.build?.(obj, state)) break;
        if (obj instanceof PyObject) obj.state = state;
        // Other targets (an OrderedDict's `_metadata` attribute) carry nothing we import.
        break;
      }
      default:
        throw fail(
          `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`,
          pos - 1,
          ' (not a torch.save checkpoint, or corrupted)',
        );
    }
  }
}

/** Little-endian two's-complement integer; a number when exact, else a bigint. */
function longLE(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) x -= 1n << BigInt(8 * b.length);
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}

export function describe(x: PickleValue): string {
  if (x === null) return 'None';
  if (x instanceof PyObject) return `${x.__global__} object`;
  if (x instanceof PyGlobal) return x.qualified;
  if (x instanceof Map) return 'dict';
  if (isTuple(x)) return 'tuple';
  if (Array.isArray(x)) return 'list';
  if (x instanceof Uint8Array) return 'bytes';
  return typeof x;
}
