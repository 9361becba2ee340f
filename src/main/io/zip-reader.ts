// A small random-access zip reader: fflate's unzipSync needs the whole archive in memory, while a
// checkpoint import first needs only `data.pkl` of a multi-GB file. Every inconsistency (truncation,
// offsets outside the file, bad CRC) becomes one PlateauError naming the file.
import { open, type FileHandle } from 'node:fs/promises';
import { inflateSync } from 'fflate';
import { invalid, notFound } from '../../shared/api/errors';

/** Something we can read byte ranges from: a file on disk or bytes in memory. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Fills `out` from `offset` (fewer bytes at the end of the source): how many it read. */
  readInto(offset: number, out: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
    readInto: async (offset, out) => {
      const part = bytes.subarray(offset, offset + out.length);
      out.set(part);
      return part.length;
    },
    close: async () => {},
  };
}

/** Opens a file for range reads; a missing or unreadable file becomes a PlateauError naming it. */
export async function fileSource(path: string): Promise<ByteSource> {
  let fh: FileHandle;
  let size: number;
  try {
    fh = await open(path, 'r');
    size = (await fh.stat()).size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`${path}: no such file`, { source: path });
    throw invalid(`${path}: cannot open (${code ?? (err as Error).message})`, { source: path });
  }
  return {
    size,
    read: async (offset, length) => {
      const out = new Uint8Array(length);
      const { bytesRead } = await fh.read(out, 0, length, offset);
      return out.subarray(0, bytesRead);
    },
    readInto: async (offset, out) => {
      let done = 0;
      for (let n = -1; n !== 0 && done < out.length; done += n) n = (await fh.read(out, done, out.length - done, offset + done)).bytesRead;
      return done;
    },
    close: () => fh.close(),
  };
}

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

export class ZipReader {
  private constructor(
    private readonly src: ByteSource,
    readonly source: string,
    readonly entries: Map<string, ZipEntry>,
  ) {}

  /** True when the first bytes are a zip local header (or an empty zip's end record). */
  static looksLikeZip(head: Uint8Array): boolean {
    return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5);
  }

  static async open(src: ByteSource, source: string): Promise<ZipReader> {
    const fail = (problem: string) => invalid(`${source}: ${problem}; the zip archive is truncated or corrupted`, { source });
    const tailLen = Math.min(src.size, 22 + 0xffff);
    const tail = await src.read(src.size - tailLen, tailLen);
    const tv = dv(tail);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw fail('no end-of-central-directory record');
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      // ZIP64: torch writes it for archives over 4 GiB; the locator sits just before the end record.
      const locAt = eocd - 20;
      if (locAt < 0 || tv.getUint32(locAt, true) !== ZIP64_LOCATOR_SIG) throw fail('ZIP64 end-record locator missing');
      const z64At = num64(tv, locAt + 8, fail);
      const z = dv(await src.read(z64At, 56));
      if (z.byteLength < 56 || z.getUint32(0, true) !== ZIP64_EOCD_SIG) throw fail('ZIP64 end record missing');
      count = num64(z, 32, fail);
      cdSize = num64(z, 40, fail);
      cdOffset = num64(z, 48, fail);
    }
    if (cdOffset + cdSize > src.size)
      throw fail(`central directory [${cdOffset}, ${cdOffset + cdSize}) lies outside the ${src.size}-byte file`);
    const cd = await src.read(cdOffset, cdSize);
    const v = dv(cd);
    const entries = new Map<string, ZipEntry>();
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > cd.length || v.getUint32(p, true) !== CENTRAL_SIG) throw fail(`central directory entry ${k} is malformed`);
      const nameLen = v.getUint16(p + 28, true);
      const extraLen = v.getUint16(p + 30, true);
      const commentLen = v.getUint16(p + 32, true);
      if (p + 46 + nameLen + extraLen > cd.length) throw fail(`central directory entry ${k} runs past its end`);
      const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
      const e: ZipEntry = {
        name,
        method: v.getUint16(p + 10, true),
        crc: v.getUint32(p + 16, true),
        compressedSize: v.getUint32(p + 20, true),
        size: v.getUint32(p + 24, true),
        localOffset: v.getUint32(p + 42, true),
      };
      applyZip64Extra(e, cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), fail);
      checkClaimedSize(e, src.size, source);
      entries.set(name, e);
      p += 46 + nameLen + extraLen + commentLen;
    }
    return new ZipReader(src, source, entries);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Where one member's data lies in the archive (`start`, `compressedSize` bytes), checked to be inside the file:
   * a stored (method 0) member can then be read by ranges, a tensor at a time, with no copy of it whole.
   */
  async span(name: string): Promise<ZipEntry & { start: number }> {
    const e = this.entries.get(name);
    const fail = (problem: string) => invalid(`${this.source}: member '${name}': ${problem}`, { source: this.source, member: name });
    if (!e) throw fail('not in the archive');
    const head = dv(await this.src.read(e.localOffset, 30));
    if (head.byteLength < 30 || head.getUint32(0, true) !== LOCAL_SIG)
      throw fail('local header missing; the archive is truncated or corrupted');
    const start = e.localOffset + 30 + head.getUint16(26, true) + head.getUint16(28, true);
    if (start + e.compressedSize > this.src.size) throw fail(`data runs past the end of the ${this.src.size}-byte file (truncated?)`);
    return { ...e, start };
  }

  /** Fills `out` with the archive's bytes from `offset` (a range of a stored member's data, from `span`): how many it read. */
  readRangeInto(offset: number, out: Uint8Array): Promise<number> {
    return this.src.readInto(offset, out);
  }

  /** Reads and (if deflated) inflates one member, checking its CRC. */
  async read(name: string): Promise<Uint8Array> {
    const fail = (problem: string) => invalid(`${this.source}: member '${name}': ${problem}`, { source: this.source, member: name });
    const { start, ...e } = await this.span(name);
    const raw = await this.src.read(start, e.compressedSize);
    let out: Uint8Array;
    if (e.method === 0) out = raw;
    else if (e.method === 8) {
      try {
        out = inflateSync(raw, { out: new Uint8Array(e.size) });
      } catch (err) {
        throw fail(`cannot inflate (${(err as Error).message})`);
      }
    } else throw fail(`unsupported compression method ${e.method} (only stored and deflate)`);
    if (out.length !== e.size) throw fail(`holds ${out.length} bytes, the directory says ${e.size}`);
    if (crc32(out) !== e.crc) throw fail('CRC mismatch; the data is corrupted');
    return out;
  }

  close(): Promise<void> {
    return this.src.close();
  }
}

/** Deflate cannot expand data more than about 1032 to 1; a member claiming more is corrupt or a zip bomb. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Refuses a member whose claimed sizes cannot be true, before anything the size of its claim is
 * allocated (reading it would otherwise allocate the claimed uncompressed size up front).
 */
function checkClaimedSize(e: ZipEntry, fileSize: number, source: string): void {
  const fail = (problem: string) =>
    invalid(`${source}: member '${e.name}' ${problem}; the archive is corrupted (or a zip bomb), nothing was unpacked`, {
      source,
      member: e.name,
    });
  if (e.compressedSize > fileSize) throw fail(`claims ${e.compressedSize} compressed bytes, more than the ${fileSize}-byte file holds`);
  if (e.method === 0 && e.size !== e.compressedSize)
    throw fail(`is stored uncompressed but claims ${e.size} bytes from ${e.compressedSize}`);
  if (e.method === 8 && e.size > e.compressedSize * MAX_DEFLATE_RATIO + 64) {
    throw fail(`claims ${e.size} bytes uncompressed from ${e.compressedSize} compressed, more than deflate can produce`);
  }
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function num64(v: DataView, at: number, fail: (p: string) => Error): number {
  if (at + 8 > v.byteLength) throw fail('record truncated');
  const x = Number(v.getBigUint64(at, true));
  if (!Number.isSafeInteger(x)) throw fail('64-bit size or offset is implausibly large');
  return x;
}

/** ZIP64 extra field (id 1) holds, in order, only the 32-bit fields that were saturated. */
function applyZip64Extra(e: ZipEntry, extra: Uint8Array, fail: (p: string) => Error): void {
  const v = dv(extra);
  for (let p = 0; p + 4 <= extra.length;) {
    const id = v.getUint16(p, true);
    const len = v.getUint16(p + 2, true);
    if (id === 1) {
      let q = p + 4;
      const take = () => {
        if (q + 8 > p + 4 + len) throw fail(`ZIP64 extra field of '${e.name}' is too short`);
        const x = num64(v, q, fail);
        q += 8;
        return x;
      };
      if (e.size === 0xffffffff) e.size = take();
      if (e.compressedSize === 0xffffffff) e.compressedSize = take();
      if (e.localOffset === 0xffffffff) e.localOffset = take();
    }
    p += 4 + len;
  }
}

let CRC_TABLE: Uint32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
