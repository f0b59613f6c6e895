// Bugs and gaps of s3rver 3.7.1, fixed here so tests see S3's behaviour:
//
// 1. It lists with a delimiter by walking directories and pruning every
// directory more than one level below the prefix, so a common prefix whose objects all sit deeper
// (in/song_data/ holding only song_data/A/B/C/x.json) is never reported. Real S3 reports it. This
// replaces listObjects: keys and common prefixes come from the stored file names, and only the
// listed page's objects are stat'ed (s3rver stats every file it walks past, synchronously, and
// reads every object's metadata file); a delimiter level ending in '/' is read from its one
// directory. lake's list stage in the S3 bench: 2.0-2.5 s before, 1.1-1.3 s after; with the
// listed keys found and stat'ed synchronously (filesBelow, listedObject) 0.35-0.5 s.
//
// 2. A ranged GET of an empty object answers 206 with Content-Length: 1 and no body, so a client
// waits for a byte that never comes. S3 answers 416 InvalidRange; getObject now does too.
//
// 3. Its ListObjectsV2 continuation tokens are DES-encrypted, and Node 20's OpenSSL 3 has no DES
// outside the legacy provider, so every truncated listing fails with 500. The token is opaque to
// clients, so 'des' becomes a pass-through here (s3rver is its only reader).
//
// 4. and 5., installed per server by installExtras(s3rver) (further down): AbortMultipartUpload
// and ListMultipartUploads, which s3rver lacks, and a HEAD on a bucket without a listing.
//
// 6. Conditional PUTs (If-None-Match: * and If-Match: ETag), which S3 has and s3rver ignores:
// lake's lock object on S3 relies on them. Checked and stored one at a time per key, so two
// concurrent conditional PUTs cannot both succeed.
import crypto from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');

const OBJECT_SUFFIX = '._S3rver_object';

// Every file name below dir, relative to it ('/'-separated). A synchronous walk: Node 20's
// readdir(dir, { recursive: true }) took 36 ms on song_data/A/ (411 directories, 1,698 files),
// readdirSync with recursive 9 ms, this 2 ms.
function filesBelow(dir, rel, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const name = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) filesBelow(join(dir, e.name), name, out);
    else out.push(name);
  }
  return out;
}

// Every key under prefix, from file names alone: reading each object's metadata (as s3rver's own
// listing does) would make one delimiter listing cost seconds on 15,000 objects.
function keysUnder(store, bucket, prefix) {
  const root = store.getBucketPath(bucket);
  const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
  const start = dirPart ? join(root, FilesystemStore.encodeKeyPath(dirPart)) : root;
  let names;
  try {
    names = filesBelow(start, '', []);
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

// Whether a directory of the store holds an object somewhere below: depth first, stopping at the
// first one (a few readdirs for a populated tree).
async function holdsObject(dir) {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((e) => !e.isDirectory() && e.name.endsWith(OBJECT_SUFFIX))) return true;
  for (const e of entries) if (e.isDirectory() && (await holdsObject(join(dir, e.name)))) return true;
  return false;
}

// Keys and common prefixes right under a prefix ending in '/' (or the bucket root) with delimiter
// '/': one readdir of the prefix's directory, and each subdirectory holding an object is a common
// prefix (15,000 keys under song_data/A/B/C/ cost 26 probes, not a walk of the whole tree).
async function delimitedByDirectory(store, bucket, prefix) {
  const dir = join(store.getBucketPath(bucket), FilesystemStore.encodeKeyPath(prefix));
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const keys = [];
  const prefixes = [];
  for (const e of entries) {
    const name = FilesystemStore.decodeKeyPath(e.name);
    if (!e.isDirectory() && e.name.endsWith(OBJECT_SUFFIX)) keys.push(prefix + name.slice(0, -OBJECT_SUFFIX.length));
    else if (e.isDirectory() && !e.name.startsWith('._S3rver_') && (await holdsObject(join(dir, e.name)))) {
      prefixes.push(`${prefix}${name}/`);
    }
  }
  return { keys, prefixes };
}

// A listed object's Size, LastModified and ETag, from one stat and the stored MD5 (s3rver's
// getMetadata also reads the metadata file, which a listing does not show). Synchronous: these are
// small cached files, and an awaited stat and readFile per key made a listing of 550 keys cost
// about 70 ms of the server's CPU in promise and thread-pool overhead, where the system calls take
// a few ms. The object is built as S3Object's constructor would build it from these three fields.
function listedObject(store, bucket, key) {
  const path = store.getResourcePath(bucket, key, 'object');
  let st;
  let md5;
  try {
    st = statSync(path);
    md5 = readFileSync(`${path}.md5`, 'latin1');
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    return null;
  }
  const object = Object.create(S3Object.prototype);
  return Object.assign(object, { bucket, key, content: null, metadata: { etag: JSON.stringify(md5),
    'last-modified': st.mtime.toUTCString(), 'content-length': st.size, 'content-type': 'binary/octet-stream' } });
}

// A key whose object or MD5 file is missing: s3rver's getMetadata (re)writes a missing MD5.
async function listedSlow(store, bucket, key) {
  const metadata = await store.getMetadata(bucket, key).catch(() => null);
  return metadata && new S3Object(bucket, key, null, metadata);
}

const original = FilesystemStore.prototype.listObjects;
if (!original.lakeFixed) {
  // The listing itself: keys from the file names under the prefix's directory (s3rver's walk
  // starts at the bucket root and stats every file on the way, synchronously), in key order,
  // CommonPrefixes computed from the names. As in s3rver, MaxKeys counts keys and the prefixes
  // all come with the first page (its continuation token names the page's last key).
  FilesystemStore.prototype.listObjects = async function listObjects(bucket, options) {
    const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
    const byDir = delimiter === '/' && (prefix === '' || prefix.endsWith('/'));
    const found = byDir ? await delimitedByDirectory(this, bucket, prefix) : null;
    const all = (found ? [...found.keys, ...found.prefixes] : keysUnder(this, bucket, prefix))
      .sort(); // UTF-16 order: S3's byte order for the keys of these tests
    const commonPrefixes = new Set();
    const keys = [];
    let isTruncated = false;
    for (const key of all) {
      const idx = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (idx !== -1) {
        if (!startAfter) commonPrefixes.add(key.slice(0, idx + delimiter.length));
      } else if (key > startAfter) {
        if (keys.length >= maxKeys) { isTruncated = true; break; }
        keys.push(key);
      }
    }
    const listed = keys.map((key) => listedObject(this, bucket, key) || listedSlow(this, bucket, key));
    const objects = (await Promise.all(listed)).filter(Boolean);
    return { objects, commonPrefixes: [...commonPrefixes], isTruncated };
  };
  FilesystemStore.prototype.listObjects.lakeFixed = true;
}

const originalGet = FilesystemStore.prototype.getObject;
if (!originalGet.lakeFixed) {
  // The object's metadata comes with the reply, so an empty object costs no extra read.
  FilesystemStore.prototype.getObject = async function getObject(bucket, key, options) {
    const object = await originalGet.call(this, bucket, key, options);
    const ranged = options && (options.start !== undefined || options.end !== undefined);
    if (ranged && object && Number(object.metadata['content-length']) === 0) {
      if (object.content) object.content.destroy();
      object.content = null;
      object.range = { start: options.start || 0, end: options.end ?? 0 };
    }
    return object;
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

// 4. s3rver answers AbortMultipartUpload (DELETE /bucket/key?uploadId=...) with 405 and
// ListMultipartUploads (GET /bucket?uploads) with 501, so "a failed multipart upload is aborted"
// could not be observed, and CompleteMultipartUpload of an upload that is gone with 500 instead
// of S3's 404 NoSuchUpload. installExtras(s3rver) adds all three in front of s3rver's routes,
// over its own store: an upload in progress is the directory <bucket>/._S3rver_uploads/<id>/
// holding the key (file "key") and the parts stored so far.
const uploadsDir = (store, bucket) => store.getResourcePath(bucket, undefined, 'uploads');

function xmlReply(ctx, status, body) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

const escapeXml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** { key, uploadId } of every upload in progress in bucket, sorted by key then id. */
export async function uploadsInProgress(store, bucket) {
  const dir = uploadsDir(store, bucket);
  let ids;
  try {
    ids = await readdir(dir);
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  const out = [];
  for (const uploadId of ids) {
    const key = await readFile(join(dir, uploadId, 'key'), 'utf8').catch(() => null);
    if (key !== null) out.push({ key, uploadId });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : 1));
}

/** The directory of upload ctx.query.uploadId of key, or null (after a 404 NoSuchUpload reply). */
async function uploadOf(ctx, bucket, key) {
  const id = String(ctx.query.uploadId);
  const dir = join(uploadsDir(ctx.app.store, bucket), id);
  const stored = /^[0-9a-f]+$/.test(id) ? await readFile(join(dir, 'key'), 'utf8').catch(() => null) : null;
  if (stored !== null && stored === key) return dir;
  xmlReply(ctx, 404, `<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${escapeXml(id)}</UploadId></Error>`);
  return null;
}

async function abortUpload(ctx, bucket, key) {
  const dir = await uploadOf(ctx, bucket, key);
  if (dir === null) return;
  await rm(dir, { recursive: true, force: true });
  ctx.status = 204;
}

// CompleteMultipartUpload of an upload that is gone (completed or aborted): S3 answers 404
// NoSuchUpload, s3rver a 500 from a missing file.
async function completeUpload(ctx, bucket, key, next) {
  if ((await uploadOf(ctx, bucket, key)) === null) return;
  return next();
}

async function listUploads(ctx, bucket) {
  const prefix = String(ctx.query.prefix || '');
  const uploads = (await uploadsInProgress(ctx.app.store, bucket)).filter((u) => u.key.startsWith(prefix));
  const items = uploads.map((u) => `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${u.uploadId}</UploadId>` +
    '<StorageClass>STANDARD</StorageClass></Upload>').join('');
  xmlReply(ctx, 200, '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Bucket>${escapeXml(bucket)}</Bucket><Prefix>${escapeXml(prefix)}</Prefix><MaxUploads>1000</MaxUploads>` +
    `<IsTruncated>false</IsTruncated>${items}</ListMultipartUploadsResult>`);
}

// 5. HEAD on a bucket runs s3rver's GET-bucket handler, which lists up to 1,000 keys of the whole
// bucket only for the reply body to be dropped: about a second on 15,000 objects. S3 answers it
// from the bucket's existence; so does installExtras.
async function headBucket(ctx, bucket) {
  const found = await ctx.app.store.getBucket(bucket);
  ctx.body = ''; // before the status: Koa turns a null body into 204
  ctx.status = found ? 200 : 404;
}

/** Adds 4. and 5. in front of s3rver's routes. */
// The conditional PUTs in flight, per bucket/key: each waits for the one before it.
const putChains = new Map();

/** A PUT with If-None-Match or If-Match: 412 PreconditionFailed unless the condition holds. */
async function conditionalPut(ctx, bucket, key, next) {
  const id = `${bucket}/${key}`;
  const before = putChains.get(id) || Promise.resolve();
  let release;
  const mine = new Promise((resolve) => { release = resolve; });
  const chained = before.then(() => mine);
  putChains.set(id, chained);
  await before;
  try {
    const store = ctx.app.store;
    const exists = await store.existsObject(bucket, key);
    const etag = exists ? (await store.getMetadata(bucket, key)).etag : null;
    const noneMatch = ctx.headers['if-none-match'];
    const match = ctx.headers['if-match'];
    const failed = (noneMatch === '*' && exists) || (match !== undefined && (!exists || (match !== '*' && match !== etag)));
    if (failed) {
      return xmlReply(ctx, 412, `<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Key>${escapeXml(key)}</Key></Error>`);
    }
    return await next();
  } finally {
    release();
    if (putChains.get(id) === chained) putChains.delete(id);
  }
}

export function installExtras(s3rver) {
  s3rver.middleware.unshift(async function extras(ctx, next) {
    const conditional = ctx.method === 'PUT' && !('uploadId' in ctx.query) &&
      (ctx.headers['if-none-match'] !== undefined || ctx.headers['if-match'] !== undefined);
    if (conditional) {
      const c = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
      if (c) return conditionalPut(ctx, decodeURIComponent(c[1]), decodeURIComponent(c[2]), next);
    }
    const head = ctx.method === 'HEAD' && /^\/[^/]+\/?$/.test(ctx.path);
    if (head) return headBucket(ctx, decodeURIComponent(ctx.path.split('/')[1]));
    const abort = ctx.method === 'DELETE' && 'uploadId' in ctx.query;
    const complete = ctx.method === 'POST' && 'uploadId' in ctx.query;
    const list = ctx.method === 'GET' && 'uploads' in ctx.query;
    // A bucket request may come as /bucket or /bucket/.
    const m = (abort || complete || list) && /^\/([^/]+)(?:\/(.*))?$/.exec(ctx.path);
    if (!m || !(await ctx.app.store.getBucket(decodeURIComponent(m[1])))) return next();
    const bucket = decodeURIComponent(m[1]);
    const key = m[2] ? decodeURIComponent(m[2]) : undefined;
    if (abort && key !== undefined) return abortUpload(ctx, bucket, key);
    if (complete && key !== undefined) return completeUpload(ctx, bucket, key, next);
    if (list && key === undefined) return listUploads(ctx, bucket);
    return next();
  });
}

