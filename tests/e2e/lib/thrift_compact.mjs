// A small Thrift compact protocol codec for tests that edit Parquet footers: decode a struct into
// a tree of { id, type, value } fields, change it, encode it again. Written from the Thrift
// compact protocol specification; it keeps every field (known or not) and its wire type, so a
// decode followed by an encode gives the same bytes for what lake writes.
//
// Values by wire type: BOOL true/false; BYTE, I16, I32, I64 BigInt; DOUBLE number; BINARY
// Buffer; LIST and SET { etype, items }; MAP { ktype, vtype, entries: [[k, v], ...] };
// STRUCT { fields: [...] }.

/** Compact protocol type codes (field headers; in lists BOOL is written as TRUE). */
export const T = {
  STOP: 0, TRUE: 1, FALSE: 2, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8,
  LIST: 9, SET: 10, MAP: 11, STRUCT: 12,
};
/** The wire type of a bool field (its header says TRUE or FALSE). */
export const BOOL = 'bool';

class Reader {
  constructor(buf, pos) { this.buf = buf; this.pos = pos; }
  byte() {
    if (this.pos >= this.buf.length) throw new Error(`thrift: truncated at ${this.pos}`);
    return this.buf[this.pos++];
  }
  varint() {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = this.byte();
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  }
  zigzag() { const u = this.varint(); return (u >> 1n) ^ -(u & 1n); }
  value(type, inList) {
    switch (type) {
      case T.TRUE: case T.FALSE: return inList ? this.byte() === 1 : type === T.TRUE;
      case T.BYTE: return BigInt.asIntN(8, BigInt(this.byte()));
      case T.I16: case T.I32: case T.I64: return this.zigzag();
      case T.DOUBLE: { const d = this.buf.readDoubleLE(this.pos); this.pos += 8; return d; }
      case T.BINARY: {
        const n = Number(this.varint());
        const b = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return Buffer.from(b);
      }
      case T.LIST: case T.SET: {
        const h = this.byte();
        let n = h >> 4;
        const etype = h & 0x0f;
        if (n === 15) n = Number(this.varint());
        const items = [];
        for (let i = 0; i < n; i++) items.push(this.value(etype, true));
        return { etype: etype === T.TRUE ? T.FALSE : etype, items };
      }
      case T.MAP: {
        const n = Number(this.varint());
        if (n === 0) return { ktype: 0, vtype: 0, entries: [] };
        const kv = this.byte();
        const entries = [];
        for (let i = 0; i < n; i++) entries.push([this.value(kv >> 4, true), this.value(kv & 0x0f, true)]);
        return { ktype: kv >> 4, vtype: kv & 0x0f, entries };
      }
      case T.STRUCT: return this.struct();
      default: throw new Error(`thrift: unknown type ${type} at ${this.pos}`);
    }
  }
  struct() {
    const fields = [];
    let last = 0;
    for (;;) {
      const h = this.byte();
      if (h === 0) return { fields };
      const t = h & 0x0f;
      const id = h >> 4 ? last + (h >> 4) : Number(this.zigzag());
      last = id;
      const type = t === T.TRUE || t === T.FALSE ? BOOL : t;
      fields.push({ id, type, value: this.value(t, false) });
    }
  }
}

/** Decodes the struct at buf[pos]; returns { struct, end }. */
export function decodeStruct(buf, pos = 0) {
  const r = new Reader(buf, pos);
  const struct = r.struct();
  return { struct, end: r.pos };
}

class Writer {
  constructor() { this.parts = []; }
  bytes(b) { this.parts.push(Buffer.from(b)); }
  varint(v) {
    let u = BigInt(v);
    const out = [];
    do {
      let b = Number(u & 0x7fn);
      u >>= 7n;
      if (u) b |= 0x80;
      out.push(b);
    } while (u);
    this.bytes(out);
  }
  zigzag(v) { const n = BigInt(v); this.varint(n >= 0n ? n << 1n : ((-n) << 1n) - 1n); }
  value(type, v, inList) {
    switch (type) {
      case BOOL: case T.TRUE: case T.FALSE: if (inList) this.bytes([v ? 1 : 2]); return;
      case T.BYTE: this.bytes([Number(BigInt.asUintN(8, BigInt(v)))]); return;
      case T.I16: case T.I32: case T.I64: this.zigzag(v); return;
      case T.DOUBLE: { const b = Buffer.alloc(8); b.writeDoubleLE(v); this.bytes(b); return; }
      case T.BINARY: { const b = Buffer.from(v); this.varint(b.length); this.bytes(b); return; }
      case T.LIST: case T.SET: {
        const et = v.etype === BOOL ? T.TRUE : v.etype;
        const n = v.items.length;
        if (n < 15) this.bytes([(n << 4) | et]);
        else { this.bytes([0xf0 | et]); this.varint(n); }
        for (const item of v.items) this.value(v.etype, item, true);
        return;
      }
      case T.MAP:
        this.varint(v.entries.length);
        if (!v.entries.length) return;
        this.bytes([(v.ktype << 4) | v.vtype]);
        for (const [k, x] of v.entries) { this.value(v.ktype, k, true); this.value(v.vtype, x, true); }
        return;
      case T.STRUCT: this.struct(v); return;
      default: throw new Error(`thrift: cannot write type ${type}`);
    }
  }
  struct(s) {
    let last = 0;
    for (const f of s.fields) {
      const t = f.type === BOOL ? (f.value ? T.TRUE : T.FALSE) : f.type;
      const delta = f.id - last;
      if (delta > 0 && delta <= 15) this.bytes([(delta << 4) | t]);
      else { this.bytes([t]); this.zigzag(f.id); }
      last = f.id;
      this.value(f.type, f.value, false);
    }
    this.bytes([0]);
  }
}

/** Encodes a struct tree as Thrift compact bytes. */
export function encodeStruct(struct) {
  const w = new Writer();
  w.struct(struct);
  return Buffer.concat(w.parts);
}

/** The field `id` of struct s, or undefined. */
export const field = (s, id) => s.fields.find((f) => f.id === id);
/** The value of field `id` of struct s, or undefined. */
export const get = (s, id) => field(s, id)?.value;
/** Sets field `id` of s (keeping the fields in id order, as writers do). */
export function set(s, id, type, value) {
  const f = field(s, id);
  if (f) { f.type = type; f.value = value; return s; }
  s.fields.push({ id, type, value });
  s.fields.sort((a, b) => a.id - b.id);
  return s;
}
/** Removes field `id` of s (if there). */
export function remove(s, id) {
  s.fields = s.fields.filter((f) => f.id !== id);
  return s;
}
/** A struct of the given fields: struct([1, T.I32, 5n], [2, T.BINARY, Buffer.from('x')]). */
export const struct = (...fields) => ({ fields: fields.map(([id, type, value]) => ({ id, type, value })) });

/**
 * The parts of a Parquet file: { data } (the bytes before the footer, magic included), { meta }
 * (FileMetaData decoded) and what follows the FileMetaData inside the footer length.
 */
export function splitParquet(file) {
  const flen = file.readUInt32LE(file.length - 8);
  const start = file.length - 8 - flen;
  const { struct: meta, end } = decodeStruct(file, start);
  return { data: file.subarray(0, start), meta, trailing: file.subarray(end, file.length - 8) };
}

/** A Parquet file of data, a FileMetaData tree and the given extras after it and magic. */
export function joinParquet({ data, meta, trailing = Buffer.alloc(0), magic = 'PAR1' }) {
  const footer = Buffer.concat([encodeStruct(meta), trailing]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length);
  return Buffer.concat([data, footer, len, Buffer.from(magic)]);
}
