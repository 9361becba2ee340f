import { describe, expect, it } from 'vitest';
import { PlateauError } from '../../../shared/api/errors';
import { flattenCheckpoint } from './flatten';
import { isTuple, PyObject, unpickle } from './pickle';
import { torchHooks } from './torch-values';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
const load = (bytes: Uint8Array) => unpickle(bytes, 'p.pkl', torchHooks('p.pkl'));

// pickle.dumps({(1, 2): [1, -5, 300, 70000, -2**40, 2**70, 1.5, 'é', b'ab', None, True, False, (), (1,),
//   (1, 2, 3), (1, 2, 3, 4)], 'o': OrderedDict([('a', 1)])}) from CPython 3, protocols 2 and 4.
const P2 =
  '80027d7100284b014b028671015d7102284b014afbffffff4d2c014a701101008a060000000000ff8a09000000000000000040473ff80000000000005802000000c3a97103635f636f646563730a656e636f64650a710458020000006162710558060000006c6174696e3171068671075271084e8889294b018571094b014b024b0387710a284b014b024b034b0474710b6558010000006f710c63636f6c6c656374696f6e730a4f726465726564446963740a710d2952710e580100000061710f4b0173752e';
const P4 =
  '8004958b000000000000007d94284b014b0286945d94284b014afbffffff4d2c014a701101008a060000000000ff8a09000000000000000040473ff80000000000008c02c3a99443026162944e8889294b0185944b014b024b038794284b014b024b034b047494658c016f948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c0161944b0173752e';

describe('unpickle', () => {
  for (const [proto, text] of [
    ['2', P2],
    ['4', P4],
  ] as const) {
    it(`decodes the basic opcodes of protocol ${proto}`, () => {
      const v = load(hex(text)) as Map<unknown, unknown>;
      expect(v).toBeInstanceOf(Map);
      const [key, list] = [...v.entries()][0] as [unknown[], unknown[]];
      expect(isTuple(key)).toBe(true);
      expect([...key]).toEqual([1, 2]);
      expect(list.slice(0, 5)).toEqual([1, -5, 300, 70000, -(2 ** 40)]);
      expect(list[5]).toBe(2n ** 70n);
      expect(list.slice(6, 12)).toEqual([1.5, 'é', new Uint8Array([0x61, 0x62]), null, true, false]);
      expect(list.slice(12).map((t) => isTuple(t) && [...t])).toEqual([[], [1], [1, 2, 3], [1, 2, 3, 4]]);
      expect(isTuple(list)).toBe(false);
      expect(v.get('o')).toEqual(new Map([['a', 1]]));
    });
  }

  it('rebuilds self-referencing lists and flattening stops at the cycle', () => {
    const v = load(hex('80027d710058010000006c71015d7102680261732e')) as Map<string, unknown[]>;
    const l = v.get('l')!;
    expect(l[0]).toBe(l);
    expect(flattenCheckpoint(v).skipped).toEqual([{ name: 'l.0', reason: expect.stringMatching(/cycle/) }]);
  });

  it('refuses a GLOBAL outside the allow-list, naming it, before anything could be called', () => {
    // cos\nsystem\n (S'rm -rf /' tR. : the classic code-execution pickle, protocol 0 aside from BINUNICODE.
    const evil = new Uint8Array([
      ...new TextEncoder().encode('cos\nsystem\n('),
      0x58,
      8,
      0,
      0,
      0,
      ...new TextEncoder().encode('rm -rf /'),
      0x74,
      0x52,
      0x2e,
    ]);
    expect(() => load(evil)).toThrow(
      /^p\.pkl: its pickle calls os\.system, which is not data; Plateau reads only torch, collections and numpy types, and ran nothing\.$/,
    );
    // STACK_GLOBAL (protocol 4) is vetted the same way: builtins.eval, then stop before REDUCE.
    const stacked = hex('80048c086275696c74696e73948c046576616c9493942e');
    expect(() => load(stacked)).toThrow(/calls builtins\.eval, which is not data/);
  });

  it('keeps an allowed torch name it does not rebuild as an inert object', () => {
    const v = load(new Uint8Array([...new TextEncoder().encode('ctorch.nn.modules.linear\nLinear\n)R.')]));
    expect(v).toBeInstanceOf(PyObject);
    expect(v).toMatchObject({ __global__: 'torch.nn.modules.linear.Linear', args: [] });
  });

  it.each([
    ['truncated input', '80027d', /truncated: no STOP/],
    ['a string running past the end', '80025810000000616263', /truncated/],
    ['stack underflow', '800273', /stack underflow/],
    ['an unknown memo entry', '8002680a2e', /memo entry 10 was never stored/],
    ['SETITEM on a list', '80025d4b014b02732e', /SETITEM on a list/],
    ['STOP with extra values', '80024b014b022e', /STOP with 2 values/],
    ['a bad persistent id', '80024b0151', /unsupported persistent id/],
    ['calling a non-global', '80024b01295200', /cannot call a number/],
    ['invalid UTF-8', '80028c01ff2e', /not valid UTF-8/],
  ])('reports %s as a PlateauError', (_, text, pattern) => {
    let err: unknown;
    try {
      load(hex(text));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlateauError);
    expect((err as Error).message).toMatch(/^p\.pkl: /);
    expect((err as Error).message).toMatch(pattern);
  });
});
