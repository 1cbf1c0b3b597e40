/**
 * Prints the GPU W3 results as a table: TFLOP/s per variant and size, kernel-only
 * and end to end, then the target check (>= 5 TFLOP/s at 4096 for a kernel on the
 * gpu.js/WebGPU path) and each variant's ratio to PyTorch CUDA where present.
 * usage: node summary.cjs w3-gpu.json [torch-cuda.json]
 */
'use strict';
const fs = require('fs');
const read = (f) => {
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch {
    return null;
  }
};
const w3 = read(process.argv[2]) || { rows: [], errors: ['no w3-gpu.json'] };
const torch = process.argv[3] ? read(process.argv[3]) : null;
const rows = [...w3.rows, ...((torch && torch.rows) || [])];
const sizes = [...new Set(rows.map((r) => r.n))].sort((a, b) => a - b);
const fmt = (x) => (x === undefined ? '-' : x >= 1 ? x.toFixed(2) : x.toPrecision(2));
console.log(
  `host ${w3.host}; adapter ${w3.adapter || '?'}; node ${w3.node}; torch ${torch ? `${torch.version} ${torch.device || torch.error || ''}` : 'absent'}`,
);
for (const what of ['kernel', 'e2e']) {
  console.log(
    `\nTFLOP/s, ${what === 'kernel' ? 'kernel only (buffers resident)' : 'end to end (Float32Array in and out)'}`,
  );
  const variants = [...new Set(rows.filter((r) => r.what === what).map((r) => r.variant))];
  console.log(`  ${'variant'.padEnd(18)}${sizes.map((n) => String(n).padStart(10)).join('')}`);
  for (const v of variants) {
    const cells = sizes.map((n) => {
      const r = rows.find((x) => x.variant === v && x.n === n && x.what === what);
      return fmt(r && r.tflops).padStart(10);
    });
    console.log(`  ${v.padEnd(18)}${cells.join('')}`);
  }
}
const big = Math.max(...sizes);
const best = rows
  .filter((r) => r.n === big && r.what === 'kernel' && !r.variant.startsWith('torch'))
  .sort((a, b) => b.tflops - a.tflops)[0];
if (best) {
  console.log(
    `\ntarget >= 5 TFLOP/s at ${big}: best WebGPU kernel ${best.variant} ${fmt(best.tflops)} TFLOP/s: ${best.tflops >= 5 ? 'met' : `MISSED by ${(5 / best.tflops).toFixed(2)}x`}`,
  );
  const t = rows.find((r) => r.variant === 'torch-cuda' && r.n === big && r.what === 'kernel');
  if (t)
    console.log(
      `PyTorch CUDA at ${big}: ${fmt(t.tflops)} TFLOP/s (${(t.tflops / best.tflops).toFixed(1)}x the best WebGPU kernel)`,
    );
}
if (w3.rxnnGpuBatchNormMaxDiff !== undefined)
  console.log(`rxnn gpu (webgpu) batchNormStats vs js: max |diff| ${w3.rxnnGpuBatchNormMaxDiff}`);
for (const e of w3.errors || []) console.log(`error: ${e.split('\n')[0]}`);
