// The object store of a netns.mjs cluster. netns.mjs runs this inside its own network namespace
// (ip netns exec NS node netns_s3.mjs) with LAKE_NETNS_S3 = JSON { host, buckets,
// anonymousBuckets, secrets }: it starts the test S3 of s3server.mjs on the namespace's address and
// prints one JSON line { endpoint, backend, dir } on stdout. It stops (removing s3rver's directory)
// on SIGTERM or SIGINT, and when its stdin closes: the test process that holds the other end is
// gone, so nothing is left running behind a test that died before it could clean up.
import { exitOnSignals, startS3 } from './s3server.mjs';

const { host, buckets, anonymousBuckets = [], secrets } = JSON.parse(process.env.LAKE_NETNS_S3 || '{}');
if (!host) throw new Error('netns_s3.mjs: LAKE_NETNS_S3 must give { host, buckets, secrets }');
const s3 = await startS3({ host, buckets, anonymousBuckets, secrets });
process.stdout.write(JSON.stringify({ endpoint: s3.endpoint, backend: s3.backend, dir: s3.dir }) + '\n');
const stop = exitOnSignals(s3);
process.stdin.on('end', stop).on('error', stop).resume();
