/**
 * A small dBASE (.dbf) reader whose text is decoded with iconv-lite, because Chinese shapefiles carry GBK
 * attributes far more often than UTF-8 and the encoding is declared in a side file (.cpg) or not at all.
 */
import iconv from 'iconv-lite';

export type DbfValue = string | number | boolean | null;
export type DbfRecord = Record<string, DbfValue>;

export interface DbfTable {
  fields: Array<{ name: string; type: string; length: number }>;
  /** one per record, in file order so they pair with the .shp shapes; null for a record marked deleted */
  records: Array<DbfRecord | null>;
}

/** Maps what a .cpg file may hold (`GBK`, `936`, `UTF-8`, `65001`…) to an iconv-lite encoding name. */
export function encodingFromCpg(cpg: string): string {
  const name = cpg.trim().toLowerCase();
  const codePages: Record<string, string> = { '936': 'gbk', '65001': 'utf8', '54936': 'gb18030', '950': 'big5', '1252': 'win1252' };
  return codePages[name] ?? name;
}

/** Parses a .dbf file. Throws with the file name and the reason on a malformed table or an unknown encoding. */
export function readDbf(bytes: Uint8Array, encoding: string, file = 'table.dbf'): DbfTable {
  if (!iconv.encodingExists(encoding)) throw new Error(`${file}: unknown text encoding "${encoding}" (try --encoding gbk or utf8)`);
  if (bytes.length < 32) throw new Error(`${file}: too short to be a dBASE table (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true);
  const headerLength = view.getUint16(8, true);
  const recordLength = view.getUint16(10, true);
  const decode = (from: number, to: number) => iconv.decode(Buffer.from(bytes.subarray(from, to)), encoding);
  const fields: DbfTable['fields'] = [];
  const offsets: number[] = [];
  let offset = 1; // byte 0 of each record is the deletion flag
  for (let at = 32; at + 32 <= headerLength && bytes[at] !== 0x0d; at += 32) {
    let end = at;
    while (end < at + 11 && bytes[end] !== 0) end++;
    const field = { name: decode(at, end).trim(), type: String.fromCharCode(bytes[at + 11]!), length: bytes[at + 16]! };
    fields.push(field);
    offsets.push(offset);
    offset += field.length;
  }
  if (offset > recordLength) throw new Error(`${file}: fields add up to ${offset} bytes but a record has ${recordLength}`);
  if (headerLength + count * recordLength > bytes.length)
    throw new Error(`${file}: holds ${count} records of ${recordLength} bytes but is only ${bytes.length} bytes long`);
  const records: Array<DbfRecord | null> = [];
  for (let r = 0; r < count; r++) {
    const start = headerLength + r * recordLength;
    if (bytes[start] === 0x2a) {
      records.push(null);
      continue;
    }
    const record: DbfRecord = {};
    fields.forEach((field, f) => {
      const from = start + offsets[f]!;
      const raw = decode(from, from + field.length).trim();
      record[field.name] = parseValue(field.type, raw);
    });
    records.push(record);
  }
  return { fields, records };
}

function parseValue(type: string, raw: string): DbfValue {
  switch (type) {
    case 'N':
    case 'F': {
      if (raw === '' || /^\*+$/.test(raw)) return null;
      const n = Number(raw);
      return Number.isFinite(n) ? n : null;
    }
    case 'L':
      return raw === '' || raw === '?' ? null : /^[TtYy]$/.test(raw);
    default:
      return raw;
  }
}
