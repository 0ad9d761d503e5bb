// gzip -9 and a bounded gunzip, pure TypeScript on pako's raw deflate.
// The gzip member (RFC 1952) is framed here rather than by pako so that every header byte is
// fixed: MTIME from the caller (default 0), XFL=2 (slowest compression, as `gzip -9` writes),
// OS=3 (Unix). Same input, same bytes.

import { deflateRaw, Inflate } from "pako";
import { LooprootError, ErrorCode } from "../errors.ts";
import { fmt } from "../util/fmt.ts";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** A gzip member starts with ID1 ID2 (RFC 1952 2.3.1). */
export function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * The unpacked size the last member's trailer states (ISIZE, the size mod 2^32), read without
 * inflating or checking anything; undefined for data too short to be a gzip member.
 */
export function gzipStatedSize(data: Uint8Array): number | undefined {
  if (!isGzip(data) || data.length < 18) return undefined;
  return new DataView(data.buffer, data.byteOffset + data.length - 4, 4).getUint32(0, true);
}

export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const FHCRC = 2,
  FEXTRA = 4,
  FNAME = 8,
  FCOMMENT = 16;

export interface GzipOptions {
  /** Original file name stored in the header (FNAME), Latin-1, no NUL. */
  name?: string;
  /** Seconds since the epoch for MTIME; 0 means "no time stamp". */
  mtime?: number;
}

export function gzip9(data: Uint8Array, opts: GzipOptions = {}): Uint8Array {
  const mtime = opts.mtime ?? 0;
  if (!Number.isInteger(mtime) || mtime < 0 || mtime > 0xffffffff) {
    throw new Error(`gzip mtime: ${mtime} is outside 0..4294967295 seconds`);
  }
  let nameBytes: Uint8Array | undefined;
  if (opts.name !== undefined) {
    nameBytes = new Uint8Array(opts.name.length + 1);
    for (let i = 0; i < opts.name.length; i++) {
      const c = opts.name.charCodeAt(i);
      if (c === 0 || c > 0xff)
        throw new Error(`gzip name: character ${i} of "${opts.name}" is not Latin-1 (or is NUL)`);
      nameBytes[i] = c;
    }
  }
  const body = deflateRaw(data, { level: 9 });
  const headerLen = 10 + (nameBytes ? nameBytes.length : 0);
  const out = new Uint8Array(headerLen + body.length + 8);
  out.set([0x1f, 0x8b, 8, nameBytes ? FNAME : 0], 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, mtime, true);
  out[8] = 2; // XFL: maximum compression
  out[9] = 3; // OS: Unix
  if (nameBytes) out.set(nameBytes, 10);
  out.set(body, headerLen);
  dv.setUint32(headerLen + body.length, crc32(data), true);
  dv.setUint32(headerLen + body.length + 4, data.length >>> 0, true);
  return out;
}

/**
 * Unpacks gzip data from untrusted input, refusing to produce more than maxBytes (checked while
 * inflating, so a small bomb cannot exhaust memory). Concatenated members are joined, as gzip -d
 * does; trailing zero padding (tape blocks) is allowed, other trailing bytes are an error.
 */
export function gunzip(data: Uint8Array, maxBytes: number): Uint8Array {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new Error(`gunzip maxBytes: ${maxBytes} is not a byte count`);
  // One output buffer, sized from the last member's ISIZE (exact for the usual single member) and
  // grown by doubling otherwise: memory stays near the unpacked size instead of chunks plus a copy.
  // ISIZE is untrusted, so the first allocation never exceeds maxBytes.
  const hint =
    data.length >= 4 ? new DataView(data.buffer, data.byteOffset + data.length - 4, 4).getUint32(0, true) : 0;
  let out = new Uint8Array(Math.min(maxBytes, Math.max(hint, 65536)));
  const total = eachChunk(data, maxBytes, (chunk, at) => {
    if (at + chunk.length > out.length) {
      const grown = new Uint8Array(Math.min(maxBytes, Math.max(at + chunk.length, out.length * 2)));
      grown.set(out.subarray(0, at));
      out = grown;
    }
    out.set(chunk, at);
  });
  return total === out.length ? out : out.slice(0, total);
}

/**
 * The unpacked size of gzip data, every member's CRC32 and ISIZE checked, the output counted and
 * dropped: a damaged (truncated, trailing garbage, bad CRC) stream is told apart from a large one
 * in memory that does not grow with the unpacked size. Past maxBytes: an E_GZIP with that limit.
 */
export function gunzipSize(data: Uint8Array, maxBytes: number): number {
  return eachChunk(data, maxBytes, () => {});
}

/** Is this error gunzip's "unpacked data exceeds the limit" (the data may be fine, only large)? */
export function isGzipLimit(e: unknown): boolean {
  return e instanceof LooprootError && e.code === ErrorCode.Gzip && e.limit !== undefined;
}

/**
 * Inflates every member, handing each chunk and its offset in the whole output to `onChunk`;
 * checks each member's trailer and what follows the last one; returns the unpacked size.
 * Concatenated members are joined, as gzip -d does; trailing zero padding (tape blocks) is
 * allowed, other trailing bytes are an error.
 */
function eachChunk(data: Uint8Array, maxBytes: number, onChunk: (chunk: Uint8Array, at: number) => void): number {
  const bad = (why: string) => new LooprootError(ErrorCode.Gzip, `gzip: ${why}`);
  let total = 0;
  let pos = 0;
  let members = 0;
  while (pos < data.length) {
    if (members > 0 && data.subarray(pos).every((b) => b === 0)) break;
    const member = data.subarray(pos);
    const start = total;
    let crc = 0;
    const used = inflateMember(
      member,
      members,
      (chunk) => {
        if (total + chunk.length > maxBytes)
          throw new LooprootError(ErrorCode.Gzip, `gzip: unpacked data exceeds the limit of ${fmt(maxBytes)} bytes`, {
            limit: maxBytes,
          });
        onChunk(chunk, total);
        total += chunk.length;
        crc = crc32(chunk, crc);
      },
      bad,
    );
    // CRC32 and ISIZE of this member's output.
    const dv = new DataView(member.buffer, member.byteOffset, member.byteLength);
    if (dv.getUint32(used, true) !== crc) throw bad(`CRC32 does not match the data (member ${members + 1})`);
    if (dv.getUint32(used + 4, true) !== (total - start) >>> 0)
      throw bad(`ISIZE does not match the data length (member ${members + 1})`);
    pos += used + 8;
    members++;
  }
  return total;
}

/** Inflates one member; returns the offset of its trailer within `data`. */
function inflateMember(
  data: Uint8Array,
  index: number,
  onData: (c: Uint8Array) => void,
  bad: (w: string) => Error,
): number {
  const where = index === 0 ? "" : ` (member ${index + 1})`;
  if (data.length < 18) throw bad(`${data.length} bytes is too short for a gzip member (at least 18)${where}`);
  if (!isGzip(data))
    throw bad(index === 0 ? "not gzip data (magic 1f 8b missing)" : `trailing garbage after member ${index}`);
  if (data[2] !== 8) throw bad(`compression method ${data[2]} is not deflate (8)${where}`);
  const flg = data[3];
  if (flg & 0xe0) throw bad(`reserved header flag bits set (FLG=0x${flg.toString(16)})${where}`);
  let p = 10;
  if (flg & FEXTRA) {
    if (p + 2 > data.length) throw bad(`header truncated in FEXTRA${where}`);
    p += 2 + (data[p] | (data[p + 1] << 8));
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (flg & f) {
      while (p < data.length && data[p] !== 0) p++;
      p++;
    }
  }
  if (flg & FHCRC) p += 2;
  if (p + 8 > data.length) throw bad(`header runs past the end of the data${where}`);

  const inf = new Inflate({ raw: true, chunkSize: 65536 });
  inf.onData = onData;
  // Feed in slices so the size check runs before the output grows much past the limit.
  const body = data.subarray(p);
  const step = 1 << 16;
  let fed = 0;
  for (let i = 0; i < body.length && !inf.ended; i += step) {
    const end = Math.min(body.length, i + step);
    fed = end;
    inf.push(body.subarray(i, end), end === body.length);
    // Z_BUF_ERROR (-5) on the last slice: the input ran out before the end of the stream.
    if (inf.err === -5 && end === body.length) throw bad(`deflate stream is truncated${where}`);
    if (inf.err) throw bad(`damaged deflate stream (${inf.msg || inf.err})${where}`);
  }
  if (!inf.ended) throw bad(`deflate stream is truncated${where}`);
  // Where the stream ended: pako leaves the unused input of the last slice in avail_in.
  const strm = (inf as unknown as { strm: { avail_in: number } }).strm;
  const t = p + fed - strm.avail_in;
  if (t + 8 > data.length) throw bad(`trailer (CRC32, ISIZE) is missing${where}`);
  return t;
}
