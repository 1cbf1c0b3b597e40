// Writes the ES-module entry points of the package: each re-exports, by name, the
// CommonJS build of one entry, so `import` and `require` share one instance of
// rxnn (one backend, one random generator) instead of loading it twice.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** [ESM file under dist/esm, its CommonJS build under dist] */
const ENTRIES = [
  ['index', 'src/index.js'],
  ['rx', 'src/rx/index.js'],
  ['pipelines', 'pipelines/index.js'],
];

function writeAtomic(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

for (const [name, cjs] of ENTRIES) {
  const out = join(root, 'dist', 'esm', `${name}.mjs`);
  const target = relative(dirname(out), join(root, 'dist', cjs))
    .split('\\')
    .join('/');
  const names = Object.keys(require(join(root, 'dist', cjs))).filter((k) => IDENTIFIER.test(k) && k !== 'default');
  if (names.length === 0) throw new Error(`build-esm: dist/${cjs} exports nothing`);
  writeAtomic(out, `import cjs from '${target}';\nexport const { ${names.join(', ')} } = cjs;\nexport default cjs;\n`);
  writeAtomic(join(root, 'dist', 'esm', `${name}.d.mts`), `export * from '${target}';\n`);
}
