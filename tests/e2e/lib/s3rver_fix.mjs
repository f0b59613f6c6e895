// Two bugs of s3rver 3.7.1's filesystem store, fixed here so tests see S3's behaviour:
//
// 1. It lists with a delimiter by walking directories and pruning every
// directory more than one level below the prefix, so a common prefix whose objects all sit deeper
// (in/song_data/ holding only song_data/A/B/C/x.json) is never reported. Real S3 reports it. This
// wraps listObjects: common prefixes are computed from the stored key names.
//
// 2. A ranged GET of an empty object answers 206 with Content-Length: 1 and no body, so a client
// waits for a byte that never comes. S3 answers 416 InvalidRange; getObject now does too.
//
// 3. Its ListObjectsV2 continuation tokens are DES-encrypted, and Node 20's OpenSSL 3 has no DES
// outside the legacy provider, so every truncated listing fails with 500. The token is opaque to
// clients, so 'des' becomes a pass-through here (s3rver is its only reader).
import crypto from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const FilesystemStore = require('s3rver/lib/stores/filesystem');

const OBJECT_SUFFIX = '._S3rver_object';

// Every key under prefix, from file names alone: reading each object's metadata (as s3rver's own
// listing does) would make one delimiter listing cost seconds on 15,000 objects.
async function keysUnder(store, bucket, prefix) {
  const root = store.getBucketPath(bucket);
  const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
  const start = dirPart ? join(root, FilesystemStore.encodeKeyPath(dirPart)) : root;
  let names;
  try {
    names = await readdir(start, { recursive: true });
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return [];
    throw e;
  }
  const keys = [];
  for (const name of names) {
    if (!name.endsWith(OBJECT_SUFFIX)) continue;
    const rel = FilesystemStore.decodeKeyPath(name.slice(0, -OBJECT_SUFFIX.length));
    const key = dirPart ? `${dirPart}/${rel}` : rel;
    if (key.startsWith(prefix)) keys.push(key);
  }
  return keys;
}

const original = FilesystemStore.prototype.listObjects;
if (!original.lakeFixed) {
  // With a delimiter, s3rver's own listing returns the right objects (those directly under the
  // prefix) but misses deeper common prefixes; those are computed from the key names instead.
  FilesystemStore.prototype.listObjects = async function listObjects(bucket, options) {
    const { delimiter } = options;
    const res = await original.call(this, bucket, options);
    if (!delimiter) return res;
    const prefix = options.prefix || '';
    // s3rver's continuation token names the last object, so prefixes go with the first page only.
    if (options.startAfter) return { ...res, commonPrefixes: [] };
    const commonPrefixes = new Set();
    for (const key of await keysUnder(this, bucket, prefix)) {
      const idx = key.slice(prefix.length).indexOf(delimiter);
      if (idx !== -1) commonPrefixes.add(key.slice(0, prefix.length + idx + delimiter.length));
    }
    return { ...res, commonPrefixes: [...commonPrefixes].sort() };
  };
  FilesystemStore.prototype.listObjects.lakeFixed = true;
}

const originalGet = FilesystemStore.prototype.getObject;
if (!originalGet.lakeFixed) {
  FilesystemStore.prototype.getObject = async function getObject(bucket, key, options) {
    const ranged = options && (options.start !== undefined || options.end !== undefined);
    if (ranged) {
      const metadata = await this.getMetadata(bucket, key).catch(() => null);
      if (metadata && Number(metadata['content-length']) === 0) {
        const object = await originalGet.call(this, bucket, key, undefined);
        if (object?.content) object.content.destroy();
        if (object) {
          object.content = null;
          object.range = { start: options.start || 0, end: options.end ?? 0 };
        }
        return object;
      }
    }
    return originalGet.call(this, bucket, key, options);
  };
  FilesystemStore.prototype.getObject.lakeFixed = true;
}

if (!crypto.createCipheriv.lakeFixed) {
  const passThrough = () => ({
    update: (data, enc) => (Buffer.isBuffer(data) ? data : Buffer.from(data, enc)),
    final: () => Buffer.alloc(0),
  });
  const { createCipheriv, createDecipheriv } = crypto;
  crypto.createCipheriv = (alg, ...rest) => (alg === 'des' ? passThrough() : createCipheriv(alg, ...rest));
  crypto.createDecipheriv = (alg, ...rest) => (alg === 'des' ? passThrough() : createDecipheriv(alg, ...rest));
  crypto.createCipheriv.lakeFixed = true;
}
