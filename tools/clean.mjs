// Removes build outputs (the folders named as arguments), so a build never ships files of deleted sources.
import { rmSync } from 'node:fs';

for (const dir of process.argv.slice(2)) rmSync(dir, { recursive: true, force: true });
