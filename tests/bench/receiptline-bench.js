// receiptline-bench.js: times receiptline's transform() of one receipt document,
// for bench-receipt-encode, which compares it with opentill's encoder
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// usage: node receiptline-bench.js MODULE_DIR DOCUMENT ITERATIONS WARMUP [OUT]
//   MODULE_DIR  the npm --prefix folder receiptline was installed into
//   DOCUMENT    the receipt in receiptline markup (UTF-8)
//   OUT         optional: where to write the ESC/POS bytes of one transform
// Prints "p50_us X", "p99_us X", "mean_us X" and "bytes N", one per line.
'use strict';

const fs = require('fs');
const path = require('path');

const [moduleDir, documentPath, iterationsArg, warmupArg, outPath] = process.argv.slice(2);
if (!moduleDir || !documentPath) {
  console.error('usage: node receiptline-bench.js MODULE_DIR DOCUMENT ITERATIONS WARMUP [OUT]');
  process.exit(2);
}
const receiptline = require(path.join(path.resolve(moduleDir), 'node_modules', 'receiptline'));
const doc = fs.readFileSync(documentPath, 'utf8');
const iterations = Number(iterationsArg) || 1000;
const warmup = Number(warmupArg) || 100;
// The same printer as opentill's generic 80 mm profile: 48 columns, GB18030.
const printer = { command: 'escpos', cpl: 48, encoding: 'gb18030' };

let out = '';
for (let i = 0; i < warmup; i++)
  out = receiptline.transform(doc, printer);

const times = new Array(iterations);
for (let i = 0; i < iterations; i++) {
  const start = process.hrtime.bigint();
  out = receiptline.transform(doc, printer);
  times[i] = Number(process.hrtime.bigint() - start) / 1000;
}
times.sort((a, b) => a - b);

// transform() returns the command bytes as a binary ("latin1") string.
const bytes = Buffer.from(out, 'latin1');
if (outPath)
  fs.writeFileSync(outPath, bytes);
const mean = times.reduce((sum, t) => sum + t, 0) / iterations;
console.log(`p50_us ${times[Math.floor(iterations / 2)].toFixed(1)}`);
console.log(`p99_us ${times[Math.min(iterations - 1, Math.floor(iterations * 0.99))].toFixed(1)}`);
console.log(`mean_us ${mean.toFixed(1)}`);
console.log(`bytes ${bytes.length}`);
