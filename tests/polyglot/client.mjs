// Polyglot proof: a Node.js client, built only from the .proto contract, talks to a running
// scanrules server. Usage: node tests/polyglot/client.mjs HOST:PORT
// Prints one JSON line with what it observed and exits 0, or exits 1 with a message on stderr.
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const here = path.dirname(fileURLToPath(import.meta.url));
const protoRoot = path.resolve(here, "..", "..", "protos");
const DEADLINE_MS = 15_000;

function fail(message) {
  process.stderr.write(`client.mjs: ${message}\n`);
  process.exit(1);
}

function check(condition, message) {
  if (!condition) fail(message);
}

const target = process.argv[2];
check(target, "usage: node tests/polyglot/client.mjs HOST:PORT");

const definition = protoLoader.loadSync(
  [
    "scanrules/v1/rule_service.proto",
    "scanrules/v1/orchestration_service.proto",
    "scanrules/v1/monitoring_service.proto",
  ],
  { includeDirs: [protoRoot], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
);
const v1 = grpc.loadPackageDefinition(definition).scanrules.v1;
const credentials = grpc.credentials.createInsecure();
const rules = new v1.RuleService(target, credentials);
const orchestration = new v1.OrchestrationService(target, credentials);
const monitoring = new v1.MonitoringService(target, credentials);

// The API key `scanrules serve` printed on first start, sent as `authorization: Bearer <key>`.
const token = process.env.SCANRULES_TOKEN ?? "";

function metadataFor(anonymous) {
  const metadata = new grpc.Metadata();
  if (token && !anonymous) metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

/** Calls a unary RPC; resolves to {response} or {error} (never rejects). */
function call(client, method, request, anonymous = false) {
  return new Promise((resolve) => {
    const deadline = new Date(Date.now() + DEADLINE_MS);
    client[method](request, metadataFor(anonymous), { deadline }, (error, response) =>
      resolve(error ? { error } : { response }),
    );
  });
}

function describe(error) {
  return `${error.code} (${grpc.status[error.code]}): ${error.details}`;
}

async function expectOk(client, method, request) {
  const { error, response } = await call(client, method, request);
  if (error) fail(`${method} failed with ${describe(error)}`);
  return response;
}

async function expectCode(client, method, request, code, anonymous = false) {
  const { error } = await call(client, method, request, anonymous);
  check(error, `${method} succeeded, expected code ${code} (${grpc.status[code]})`);
  check(error.code === code, `${method} returned ${describe(error)}, expected ${code} (${grpc.status[code]})`);
  const details = error.metadata.get("grpc-status-details-bin");
  return {
    code: error.code,
    code_name: grpc.status[error.code],
    message: error.details,
    has_status_details: details.length > 0 && details[0].length > 0,
  };
}

async function main() {
  const ruleId = `node-email-${randomBytes(4).toString("hex")}`;
  const expression = "match value ~ /[a-z0-9.]+@[a-z0-9.]+\\.[a-z]{2,}/";

  const created = await expectOk(rules, "CreateRule", {
    rule_id: ruleId,
    rule: { expression, classification: "EMAIL_ADDRESS", display_name: "Node.js e-mail rule" },
    request_id: randomUUID(),
  });
  const rule = created.rule;
  check(rule, "CreateRule returned no rule");
  check(rule.name === `rules/${ruleId}`, `CreateRule returned name ${JSON.stringify(rule.name)}`);
  check(rule.classification === "EMAIL_ADDRESS", `CreateRule returned classification ${rule.classification}`);
  check(rule.expression === expression, `CreateRule returned expression ${JSON.stringify(rule.expression)}`);

  // Page through every rule not owned by `system` (user-created rules have an empty owner).
  const filter = 'owner = ""';
  const listed = [];
  let pageToken = "";
  let pages = 0;
  do {
    const page = await expectOk(rules, "ListRules", { page_size: 50, page_token: pageToken, filter });
    listed.push(...page.rules.map((r) => r.name));
    pageToken = page.next_page_token;
    pages += 1;
    check(pages <= 100, "ListRules kept returning next_page_token after 100 pages");
  } while (pageToken);
  check(listed.includes(rule.name), `ListRules(filter ${filter}) did not return ${rule.name}: ${listed.join(", ")}`);

  const fetched = await expectOk(rules, "GetRule", { name: rule.name });
  check(fetched.rule.name === rule.name, `GetRule returned ${fetched.rule.name}`);

  const notFound = await expectCode(rules, "GetRule", { name: "rules/does-not-exist" }, grpc.status.NOT_FOUND);
  const invalid = await expectCode(
    rules,
    "CreateRule",
    {
      rule_id: `node-broken-${randomBytes(4).toString("hex")}`,
      rule: { expression: "match value ~ /(a/", classification: "EMAIL_ADDRESS" },
    },
    grpc.status.INVALID_ARGUMENT,
  );
  const unimplemented = await expectCode(monitoring, "GetPerformanceDashboard", {}, grpc.status.UNIMPLEMENTED);
  const unauthenticated = await expectCode(rules, "GetRule", { name: rule.name }, grpc.status.UNAUTHENTICATED, true);

  rules.close();
  orchestration.close();
  monitoring.close();
  process.stdout.write(
    JSON.stringify({
      target,
      created: {
        name: rule.name,
        classification: rule.classification,
        owner: rule.owner,
        revision_id: rule.revision_id,
      },
      listed: { filter, count: listed.length, pages, contains_created: true },
      got: { name: fetched.rule.name },
      not_found: notFound,
      invalid_argument: invalid,
      unimplemented,
      unauthenticated,
    }) + "\n",
  );
}

main().catch((error) => fail(error?.stack ?? String(error)));
