// The local cluster's object store: the test S3 of tests/e2e/lib/s3server.mjs (s3rver behind a
// SigV4-checking proxy) on this namespace's address. cluster-up.sh starts it inside the store's
// namespace with LAKE_S3D = JSON { host, bucket, keyId, secret, infoFile } (in the environment,
// not argv, so the secret is not in ps); it writes { endpoint, backend } to infoFile once it
// listens, and stops (removing its directory, below TMPDIR) on SIGTERM or SIGINT.
import { renameSync, writeFileSync } from 'node:fs';
import { exitOnSignals, startS3 } from '../../tests/e2e/lib/s3server.mjs';

const { host, bucket, keyId, secret, infoFile } = JSON.parse(process.env.LAKE_S3D || '{}');
if (!host || !infoFile) throw new Error('s3d.mjs: LAKE_S3D must give { host, bucket, keyId, secret, infoFile }');
delete process.env.LAKE_S3D;
const s3 = await startS3({ host, buckets: [bucket], secrets: { [keyId]: secret } });
writeFileSync(`${infoFile}.tmp`, JSON.stringify({ endpoint: s3.endpoint, backend: s3.backend }) + '\n');
renameSync(`${infoFile}.tmp`, infoFile);
exitOnSignals(s3);
