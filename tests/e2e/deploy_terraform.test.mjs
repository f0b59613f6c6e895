// deploy/terraform/ without Terraform (it is not in the registries this project reaches): every
// .tf file must parse with HashiCorp's HCL parser (@cdktf/hcl2json, the parser Terraform uses,
// compiled to WebAssembly), and the parsed configuration must keep the rules of docs/deploy.md:
// no ssh from the world, the nodes' IAM limited to the input and the output prefix, every
// taggable resource tagged, every variable described, the outputs the scripts read, the Glue
// tables equal to what `lake ddl` prints.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import hcl2json from '@cdktf/hcl2json';
import { lakeOk } from './lib/lake.mjs';

const TF_DIR = new URL('../../deploy/terraform/', import.meta.url).pathname;
const DEPLOY_DIR = new URL('../../deploy/', import.meta.url).pathname;

// AWS resource types that take no tags (the rest must carry at least a Name tag of their own;
// default_tags adds the common ones).
const UNTAGGABLE = new Set([
  'aws_s3_bucket_public_access_block', 'aws_s3_bucket_ownership_controls',
  'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_lifecycle_configuration',
  'aws_route_table_association', 'aws_iam_role_policy', 'aws_glue_catalog_table',
]);

// Merges the parsed files into one configuration: { resource: { type: { name: body } }, ... }.
function merge(parsed) {
  const cfg = { variable: {}, output: {}, resource: {}, data: {}, locals: {}, provider: {} };
  for (const doc of parsed) {
    for (const [name, [body]] of Object.entries(doc.variable || {})) cfg.variable[name] = body;
    for (const [name, [body]] of Object.entries(doc.output || {})) cfg.output[name] = body;
    for (const kind of ['resource', 'data']) {
      for (const [type, byName] of Object.entries(doc[kind] || {})) {
        for (const [name, [body]] of Object.entries(byName)) (cfg[kind][type] ||= {})[name] = body;
      }
    }
    for (const block of doc.locals || []) Object.assign(cfg.locals, block);
    for (const [name, [body]] of Object.entries(doc.provider || {})) cfg.provider[name] = body;
  }
  return cfg;
}

const resources = (cfg) => Object.entries(cfg.resource).flatMap(([type, byName]) =>
  Object.entries(byName).map(([name, body]) => ({ type, name, body })));

describe('deploy/terraform parsed by HashiCorp\'s HCL parser', () => {
  let cfg;
  const files = readdirSync(TF_DIR).filter((f) => f.endsWith('.tf')).sort();

  before(async () => {
    const parsed = [];
    for (const f of files) {
      try {
        parsed.push(await hcl2json.parse(f, readFileSync(join(TF_DIR, f), 'utf8')));
      } catch (e) {
        throw new Error(`deploy/terraform/${f} does not parse: ${e.message ?? e}`);
      }
    }
    cfg = merge(parsed);
  });

  test('the configuration is there: versions, variables, network, storage, IAM, nodes, catalog, outputs', () => {
    for (const f of ['versions.tf', 'variables.tf', 'network.tf', 'storage.tf', 'iam.tf', 'nodes.tf', 'catalog.tf', 'outputs.tf']) {
      assert.ok(files.includes(f), `deploy/terraform/${f}`);
    }
    for (const t of ['aws_vpc', 'aws_subnet', 'aws_internet_gateway', 'aws_route_table', 'aws_route_table_association',
      'aws_security_group', 'aws_placement_group', 'aws_instance', 'aws_s3_bucket', 'aws_iam_role',
      'aws_iam_instance_profile', 'aws_key_pair', 'tls_private_key', 'aws_glue_catalog_database', 'aws_glue_catalog_table']) {
      assert.ok(cfg.resource[t], `a resource ${t}`);
    }
  });

  test('every variable is described, typed, and the defaults are the documented ones', () => {
    for (const [name, v] of Object.entries(cfg.variable)) {
      assert.ok(typeof v.description === 'string' && v.description.length > 20, `variable ${name} has a description`);
      assert.ok(v.type, `variable ${name} has a type`);
    }
    const def = (n) => cfg.variable[n]?.default;
    assert.equal(def('node_count'), 3);
    assert.equal(def('input_location'), 's3://udacity-dend/');
    assert.equal(def('region'), 'us-west-2');
    for (const n of ['instance_type', 'bucket_name', 'output_prefix', 'tags']) assert.ok(n in cfg.variable, `variable ${n}`);
    // The ssh source must be given, and the world is refused by its validation.
    assert.ok(cfg.variable.admin_cidr, 'variable admin_cidr');
    assert.equal('default' in cfg.variable.admin_cidr, false, 'admin_cidr has no default');
    assert.match(JSON.stringify(cfg.variable.admin_cidr.validation), /0\.0\.0\.0\/0/, 'admin_cidr refuses 0.0.0.0/0');
    for (const [name, v] of Object.entries(cfg.variable)) {
      assert.doesNotMatch(JSON.stringify(v.default ?? ''), /0\.0\.0\.0\/0|::\/0/, `variable ${name}: no world-open default`);
    }
  });

  test('no ssh (nor any port) from 0.0.0.0/0: ssh from admin_cidr, everything else between members only', () => {
    const world = (rule) => [...(rule.cidr_blocks || []), ...(rule.ipv6_cidr_blocks || [])]
      .some((c) => c === '0.0.0.0/0' || c === '::/0');
    const groups = Object.values(cfg.resource.aws_security_group);
    assert.ok(groups.length > 0);
    for (const sg of groups) {
      const ingress = sg.ingress || [];
      for (const rule of ingress) assert.equal(world(rule), false, `ingress "${rule.description}" open to the world`);
      const ssh = ingress.filter((r) => r.protocol === 'tcp' && r.from_port <= 22 && r.to_port >= 22);
      assert.equal(ssh.length, 1, 'one ssh rule');
      assert.deepEqual(ssh[0].cidr_blocks, ['${var.admin_cidr}']);
      for (const r of ingress.filter((x) => x.protocol === '-1')) {
        assert.equal(r.self, true, 'all-traffic ingress only from the group itself');
        assert.equal(r.cidr_blocks, undefined);
      }
    }
    // Rules as resources of their own would escape the check above: there are none.
    for (const t of ['aws_security_group_rule', 'aws_vpc_security_group_ingress_rule']) assert.equal(cfg.resource[t], undefined, t);
  });

  test('the nodes\' IAM: s3 actions on the bucket\'s ARNs and the input only, writes under the output prefix only', () => {
    assert.equal(cfg.locals.bucket_arn, '${aws_s3_bucket.lake.arn}');
    assert.match(cfg.locals.input_bucket_arn, /^arn:\$\{data\.aws_partition\.current\.partition\}:s3:::\$\{local\.input_bucket\}$/);
    assert.equal(cfg.resource.aws_iam_role_policy.node.policy, '${data.aws_iam_policy_document.node.json}');
    // No managed policy attached, no other inline policy.
    assert.equal(cfg.resource.aws_iam_role_policy_attachment, undefined);
    assert.deepEqual(Object.keys(cfg.resource.aws_iam_role_policy), ['node']);
    const reads = new Set(['s3:ListBucket', 's3:GetObject', 's3:ListBucketMultipartUploads', 's3:ListMultipartUploadParts']);
    const writes = new Set(['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload']);
    const statements = cfg.data.aws_iam_policy_document.node.statement;
    assert.ok(statements.length >= 4);
    for (const s of statements) {
      assert.equal(s.effect ?? 'Allow', 'Allow');
      assert.equal(s.not_actions, undefined);
      assert.equal(s.not_resources, undefined);
      for (const a of s.actions) assert.ok(reads.has(a) || writes.has(a), `${s.sid}: action ${a} is not one the nodes need`);
      for (const r of s.resources) {
        assert.match(r, /^\$\{local\.(bucket_arn|input_bucket_arn)\}(\/.+)?$/, `${s.sid}: resource ${r}`);
        assert.notEqual(r, '${local.bucket_arn}/*', `${s.sid}: not the whole bucket's objects`);
      }
      if (s.actions.some((a) => writes.has(a))) {
        assert.deepEqual(s.resources, ['${local.bucket_arn}/${var.output_prefix}*'], `${s.sid}: writes under the output prefix only`);
      }
      if (s.actions.includes('s3:ListBucket')) {
        assert.equal(s.condition?.[0]?.variable, 's3:prefix', `${s.sid}: listing limited by prefix`);
      }
    }
    const assume = cfg.data.aws_iam_policy_document.assume.statement[0];
    assert.deepEqual(assume.principals[0].identifiers, ['ec2.amazonaws.com']);
  });

  test('every taggable resource is tagged, and the provider adds the common tags', () => {
    assert.equal(cfg.provider.aws.default_tags[0].tags, '${local.tags}');
    assert.match(cfg.locals.tags, /^\$\{merge\(.*var\.tags\)\}$/s, 'local.tags includes var.tags');
    for (const { type, name, body } of resources(cfg)) {
      if (!type.startsWith('aws_') || UNTAGGABLE.has(type)) continue;
      assert.ok(body.tags?.Name, `${type}.${name} has a Name tag`);
    }
    const node = cfg.resource.aws_instance.node;
    assert.match(node.root_block_device[0].tags, /local\.tags/, 'root volumes carry the common tags (default_tags do not reach them)');
  });

  test('the bucket: public access blocked, encrypted, multipart uploads aborted, _temporary/ expired, _lake/ kept', () => {
    const pab = cfg.resource.aws_s3_bucket_public_access_block.lake;
    for (const k of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) assert.equal(pab[k], true, k);
    const sse = cfg.resource.aws_s3_bucket_server_side_encryption_configuration.lake;
    assert.equal(sse.rule[0].apply_server_side_encryption_by_default[0].sse_algorithm, 'AES256');
    const lc = cfg.resource.aws_s3_bucket_lifecycle_configuration.lake;
    const abort = lc.rule.find((r) => r.abort_incomplete_multipart_upload);
    assert.ok(abort, 'a rule aborting incomplete multipart uploads');
    assert.equal(abort.filter[0].prefix, '', 'for the whole bucket');
    assert.equal(abort.abort_incomplete_multipart_upload[0].days_after_initiation, '${var.abort_multipart_days}');
    const tmp = lc.dynamic.rule[0].content[0];
    assert.match(tmp.filter[0].prefix, /_temporary\/$/);
    assert.ok(tmp.expiration, '_temporary/ expires');
    assert.match(lc.dynamic.rule[0].for_each, /local\.table_names/, 'in each table too');
    assert.doesNotMatch(JSON.stringify(lc), /_lake\//, 'lake\'s lock and journal never expire');
    assert.equal(cfg.resource.aws_s3_bucket.lake.force_destroy, '${var.force_destroy}');
    assert.equal(cfg.variable.force_destroy.default, false);
  });

  test('nodes: Debian 12 AMI, cluster placement group, IMDSv2, key pair written for the scripts, node-setup at boot', () => {
    const ami = cfg.data.aws_ami.debian;
    assert.deepEqual(ami.owners, ['136693071363']);
    assert.deepEqual(ami.filter.find((f) => f.name === 'name').values, ['debian-12-amd64-*']);
    assert.equal(cfg.resource.aws_placement_group.cluster.strategy, 'cluster');
    const node = cfg.resource.aws_instance.node;
    assert.equal(node.count, '${var.node_count}');
    assert.equal(node.placement_group, '${aws_placement_group.cluster.id}');
    assert.equal(node.iam_instance_profile, '${aws_iam_instance_profile.node.name}');
    assert.equal(node.metadata_options[0].http_tokens, 'required');
    assert.equal(node.root_block_device[0].encrypted, true);
    assert.match(node.user_data, /templatefile\("\$\{path\.module\}\/cloud-init\.sh\.tftpl"/);
    const tpl = readFileSync(join(TF_DIR, 'cloud-init.sh.tftpl'), 'utf8');
    assert.match(tpl, /\/deploy\/node-setup\.sh \\/, 'user data runs deploy/node-setup.sh');
    assert.doesNotMatch(tpl, /private_key/, 'no private key in user data');
    const key = cfg.resource.local_sensitive_file.cluster_key;
    assert.equal(key.filename, '${local.key_path}');
    assert.equal(key.file_permission, '0600');
    assert.equal(cfg.locals.key_path, '${local.deploy_dir}/cluster-key.pem');
    assert.equal(cfg.resource.aws_key_pair.cluster.public_key, '${tls_private_key.cluster.public_key_openssh}');
  });

  test('outputs: head and private addresses, bucket, and deploy/cluster.env with what deploy/bin reads', () => {
    for (const o of ['head_address', 'private_addresses', 'public_addresses', 'bucket', 'output_location', 'ssh_key_path', 'cluster_env']) {
      assert.ok(cfg.output[o], `output ${o}`);
      assert.ok(cfg.output[o].description, `output ${o} is described`);
    }
    const env = cfg.resource.local_file.cluster_env;
    assert.equal(env.filename, '${local.deploy_dir}/cluster.env');
    const keys = new Set([...env.content.matchAll(/^\s*(LAKE_[A-Z_]+)=/gm)].map((m) => m[1]));
    // The names deploy/lib/common.sh requires of every cluster.env.
    const common = readFileSync(join(DEPLOY_DIR, 'lib/common.sh'), 'utf8');
    const required = /^LAKE_REQUIRED="([^"]+)"/m.exec(common)[1].split(/\s+/);
    for (const k of required) assert.ok(keys.has(k), `cluster.env sets ${k}`);
    assert.doesNotMatch(env.content, /tls_private_key|private_key_/, 'cluster.env holds no key');
  });

  test('the Glue tables are the tables `lake ddl --dialect athena` declares; year/month tables use projection', () => {
    const ddl = lakeOk(['ddl', '--output', 's3://bucket/lake/', '--dialect', 'athena']).stdout;
    const fromDdl = {};
    for (const m of ddl.matchAll(/CREATE EXTERNAL TABLE IF NOT EXISTS `(\w+)` \(([^)]*)\)\s*(?:PARTITIONED BY \(([^)]*)\))?/g)) {
      const cols = (s) => [...(s || '').matchAll(/`(\w+)` (\w+)/g)].map((c) => [c[1], c[2].toLowerCase()]);
      fromDdl[m[1]] = { columns: cols(m[2]), partitions: cols(m[3]) };
    }
    assert.deepEqual(Object.keys(fromDdl).sort(), ['artists', 'songplays', 'songs', 'time', 'users']);
    assert.deepEqual(cfg.locals.glue_tables, fromDdl);
    const table = cfg.resource.aws_glue_catalog_table.lake;
    assert.equal(table.for_each, '${local.glue_tables}');
    assert.equal(table.storage_descriptor[0].location, '${local.output_location}${each.key}/');
    assert.match(table.parameters, /local\.projection/);
    assert.equal(cfg.locals.projection['projection.enabled'], 'true');
    assert.equal(cfg.locals.projection['projection.month.range'], '1,12');
  });
});
