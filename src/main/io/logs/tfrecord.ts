// TFRecord framing: each record is uint64 length (little endian), masked CRC-32C of those 8 bytes, the data,
// masked CRC-32C of the data. Both CRCs are checked: a log cut off mid-write or a flipped bit is refused,
// naming the file, the record's index and its byte offset, never read as a wrong number.
import { open } from 'node:fs/promises';
import { invalid } from '../../../shared/api/errors';
import { maskedCrc32c } from './crc32c';

/** Read this much at a time: a multi-GB event file never sits in memory whole. */
const CHUNK = 16 * 1024 * 1024;
/** No summary event comes near this; a larger length is a corrupt header that slipped past its CRC. */
const MAX_RECORD = 1024 * 1024 * 1024;

/** Called with each record's data, buf[start, end) (valid during the call), its index and byte offset in the file. */
export type OnRecord = (buf: Uint8Array, start: number, end: number, index: number, offset: number) => void;

const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

/**
 * Every record of `path`, in order, each checked; throws a PlateauError naming the record. A callback, not
 * an async iterator: an await per record cost more than decoding it (2 million records in 100 MB).
 */
export async function readTfRecords(path: string, onRecord: OnRecord): Promise<void> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw invalid(`${path}: cannot be read (${err.code ?? err.message})`, { source: path });
  });
  try {
    let buf = new Uint8Array(0);
    let pos = 0; // read position in buf
    let base = 0; // file offset of buf[0]
    let eof = false;
    /** Makes at least `n` bytes available from pos; false at end of file with fewer. */
    const need = async (n: number): Promise<boolean> => {
      while (buf.length - pos < n && !eof) {
        const rest = buf.subarray(pos);
        const next = new Uint8Array(Math.max(rest.length + CHUNK, n));
        next.set(rest);
        const { bytesRead } = await fh.read(next, rest.length, next.length - rest.length, base + buf.length);
        base += pos;
        pos = 0;
        buf = next.subarray(0, rest.length + bytesRead);
        if (bytesRead === 0) eof = true;
      }
      return buf.length - pos >= n;
    };
    // The message is built only on failure: a string per record was most of the loop's time.
    const fail = (index: number, offset: number, problem: string) =>
      invalid(`${path}: record ${index} (byte ${offset}): ${problem}`, { source: path, record: index, offset });
    for (let index = 0; ; index++) {
      const offset = base + pos;
      if (buf.length - pos < 12 && !(await need(12))) {
        if (buf.length - pos === 0) return;
        throw fail(index, offset, `the file ends inside the record's 12-byte header (${buf.length - pos} bytes left): truncated`);
      }
      const lo = u32(buf, pos);
      const hi = u32(buf, pos + 4);
      if (maskedCrc32c(buf, pos, pos + 8) !== u32(buf, pos + 8))
        throw fail(index, offset, 'the length CRC does not match: the file is corrupt');
      const length = hi * 2 ** 32 + lo;
      if (length > MAX_RECORD) throw fail(index, offset, `claims ${length} bytes of data, more than any event holds: the file is corrupt`);
      if (buf.length - pos < 16 + length && !(await need(16 + length))) {
        throw fail(
          index,
          offset,
          `the file ends inside the record (${buf.length - pos - 12} of ${length + 4} bytes after the header): truncated`,
        );
      }
      const start = pos + 12;
      if (maskedCrc32c(buf, start, start + length) !== u32(buf, start + length))
        throw fail(index, offset, 'the data CRC does not match: the file is corrupt');
      pos = start + length + 4;
      onRecord(buf, start, start + length, index, offset);
    }
  } finally {
    await fh.close();
  }
}
