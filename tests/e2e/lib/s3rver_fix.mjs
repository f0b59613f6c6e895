// Two bugs of s3rver 3.7.1's filesystem store, fixed here so tests see S3's behaviour:
//
// 1. It lists with a delimiter by walking directories and pruning every
// directory more than one level below the prefix, so a common prefix whose objects all sit deeper
// (in/song_data/ holding only song_data/A/B/C/x.json) is never reported. Real S3 reports it. This
// wraps listObjects: with a delimiter, list without one and fold keys into common prefixes.
//
// 2. A ranged GET of an empty object answers 206 with Content-Length: 1 and no body, so a client
// waits for a byte that never comes. S3 answers 416 InvalidRange; getObject now does too.
//
// 3. Its ListObjectsV2 continuation tokens are DES-encrypted, and Node 20's OpenSSL 3 has no DES
// outside the legacy provider, so every truncated listing fails with 500. The token is opaque to
// clients, so 'des' becomes a pass-through here (s3rver is its only reader).
import crypto from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const FilesystemStore = require('s3rver/lib/stores/filesystem');

const original = FilesystemStore.prototype.listObjects;
if (!original.lakeFixed) {
  FilesystemStore.prototype.listObjects = async function listObjects(bucket, options) {
    const { delimiter } = options;
    if (!delimiter) return original.call(this, bucket, options);
    const prefix = options.prefix || '';
    const maxKeys = options.maxKeys ?? 1000;
    const all = await original.call(this, bucket, { ...options, delimiter: undefined, maxKeys: Infinity });
    const commonPrefixes = new Set();
    const objects = [];
    let isTruncated = false;
    for (const object of all.objects) {
      const idx = object.key.slice(prefix.length).indexOf(delimiter);
      if (idx !== -1) {
        commonPrefixes.add(object.key.slice(0, prefix.length + idx + delimiter.length));
      } else if (objects.length < maxKeys) {
        objects.push(object);
      } else {
        isTruncated = true;
      }
    }
    // s3rver's continuation token names the last object, so prefixes go with the first page only.
    const firstPage = !options.startAfter;
    return { objects, commonPrefixes: firstPage ? [...commonPrefixes].sort() : [], isTruncated };
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
