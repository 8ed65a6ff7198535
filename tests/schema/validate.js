#!/usr/bin/env node
// Validates every *.json file under DIR (FHIR resources or Bundles) against the official FHIR R4
// JSON schema (fhir.schema.json, draft-06, shipped with @asymmetrik/fhir-json-schema-validator).
//
//   node validate.js DIR [--min N]
//
// Prints "validated N files, F failed" and, for each failure, its path and the schema errors.
// Exits non-zero when a file fails, cannot be read or parsed, or fewer than N files (default 1)
// were validated, so that an empty or misplaced output folder cannot pass.
'use strict';

const fs = require('fs');
const path = require('path');
let Validator;
try {
  Validator = require('@asymmetrik/fhir-json-schema-validator');
} catch (e) {
  console.error(`cannot load the validator (${e.message}); run \`npm ci\` in ${__dirname}`);
  process.exit(2);
}

function usage() {
  console.error('usage: node validate.js DIR [--min N]');
  process.exit(2);
}

const args = process.argv.slice(2);
let dir = null;
let min = 1;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--min') {
    min = Number.parseInt(args[++i], 10);
    if (!Number.isInteger(min) || min < 0) usage();
  } else if (dir === null) {
    dir = args[i];
  } else {
    usage();
  }
}
if (dir === null) usage();

function list(d) {
  let out = [];
  let entries;
  try {
    entries = fs.readdirSync(d, { withFileTypes: true });
  } catch (e) {
    console.error(`cannot read ${d}: ${e.message}`);
    return out;
  }
  for (const e of entries) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) out = out.concat(list(p));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

const validator = new Validator();
const files = list(dir);
let failed = 0;
for (const file of files) {
  let errors;
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    errors = validator.validate(doc);
  } catch (e) {
    errors = [`cannot read or parse: ${e.message}`];
  }
  if (errors.length > 0) {
    ++failed;
    console.log(`FAIL ${file}`);
    for (const err of errors.slice(0, 20)) {
      console.log(typeof err === 'string' ? `  ${err}` : `  ${err.dataPath || '/'} ${err.message} ${JSON.stringify(err.params)}`);
    }
  }
}
console.log(`validated ${files.length} files, ${failed} failed`);
if (files.length < min) {
  console.log(`expected at least ${min} files in ${dir}`);
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
