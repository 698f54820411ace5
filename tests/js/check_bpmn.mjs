// Check BPMN files with the tools Camunda Modeler is built on.
//
//   node tests/js/check_bpmn.mjs FILE.bpmn [FILE.bpmn ...]
//
// For every file: import it with bpmn-moddle (the model layer of bpmn.io and
// Camunda Modeler) and report its import warnings, then lint the imported
// model with bpmnlint's "recommended" rules (what Camunda Modeler's lint
// panel shows). Prints one JSON object on stdout:
//
//   {"tools": {"bpmn-moddle": "10.3.1", "bpmnlint": "11.15.0"},
//    "files": {"FILE.bpmn": {"error": null,
//                            "warnings": ["unparsable content <x> detected ...", ...],
//                            "lint": [{"rule": "no-disconnected", "id": "Task_1",
//                                      "category": "error", "message": "..."}, ...]}}}
//
// "error" is set (and lint is empty) when the file could not be read or
// imported at all. The exit status is 0 whenever the JSON was written: the
// caller (tests/processes/formats/test_bpmn_tools.py) judges the findings.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import { BpmnModdle } from 'bpmn-moddle';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

function version(name) {
  return require(`${name}/package.json`).version;
}

// A fresh Linter for every file: bpmnlint caches rule instances per Linter,
// and some rules (no-duplicate-sequence-flows) keep state between lint() calls,
// so a shared Linter reports one file's flows as duplicates of another's.
// Rules resolve from this folder's node_modules, whatever the cwd.
function newLinter() {
  return new Linter({
    config: { extends: 'bpmnlint:recommended' },
    resolver: new NodeResolver({ require })
  });
}

async function check(path) {
  let xml;
  try {
    xml = await readFile(path, 'utf8');
  } catch (err) {
    return { error: `cannot read: ${err.message}`, warnings: [], lint: [] };
  }
  const moddle = new BpmnModdle();
  let imported;
  try {
    imported = await moddle.fromXML(xml);
  } catch (err) {
    const warnings = (err.warnings || []).map((w) => String(w.message));
    return { error: `import failed: ${err.message}`, warnings, lint: [] };
  }
  const warnings = (imported.warnings || []).map((w) => String(w.message));
  const reports = await newLinter().lint(imported.rootElement);
  const lint = [];
  for (const [rule, found] of Object.entries(reports)) {
    for (const report of found) {
      lint.push({
        rule,
        id: report.id ?? null,
        category: report.category ?? null,
        message: String(report.message)
      });
    }
  }
  lint.sort((a, b) => (a.rule + '\0' + a.id).localeCompare(b.rule + '\0' + b.id));
  return { error: null, warnings, lint };
}

const files = {};
for (const path of process.argv.slice(2)) {
  files[path] = await check(path);
}
process.stdout.write(
  JSON.stringify({
    tools: { 'bpmn-moddle': version('bpmn-moddle'), bpmnlint: version('bpmnlint') },
    files
  }) + '\n'
);
