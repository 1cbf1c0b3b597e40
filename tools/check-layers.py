#!/usr/bin/env python3
"""Fails (exit 1) on any import that points up the layer order, listing each one.

Usage: python3 tools/check-layers.py [repo root]   (stdlib only; CI runs it)

Reads every import of src/**/*.ts and pipelines/**/*.ts (import/export ... from, require(),
import()) that names a file of the repository, and checks it against the layers below, lowest
first. A folder may import its own layer and any lower one:

  src/config
  src/validate, src/random, src/autograd, src/backend
  src/tensor
  src/functional, src/optim, src/data
  src/nn
  src/train
  src/rx
  src/experiments
  src/sweep
  src/cli

and besides:
  - pipelines/ may import src/* except src/cli; src/cli may import pipelines/;
  - src/index.ts may import anything in src/ but src/cli;
  - src/dashboard is browser code: it may import nothing from src/ but types (import type);
  - in src/backend/, js/ does not import wasm/ (the backend's index composes them).
"""
import os
import re
import sys

LAYERS = [
    ['config'],
    ['validate', 'random', 'autograd', 'backend'],
    ['tensor'],
    ['functional', 'optim', 'data'],
    ['nn'],
    ['train'],
    ['rx'],
    ['experiments'],
    ['sweep'],
    ['cli'],
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}
CLI = RANK['cli']

# import x from '...'; import type {...} from '...'; export {...} from '...'; import '...'; require('...'); import('...')
IMPORT = re.compile(
    r"""(?P<kw>\bimport\s+type\b|\bexport\s+type\b|\bimport\b|\bexport\b)[^'";]*?\bfrom\s*['"](?P<a>[^'"]+)['"]"""
    r"""|\bimport\s*['"](?P<b>[^'"]+)['"]"""
    r"""|\brequire\s*\(\s*['"](?P<c>[^'"]+)['"]\s*\)"""
    r"""|\bimport\s*\(\s*['"](?P<d>[^'"]+)['"]\s*\)""",
    re.S,
)
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)


def strip_comments(text):
    # Keeps string literals intact well enough for import lines: '//' inside a quoted path is not used here.
    return COMMENT.sub(lambda m: '\n' * m.group(0).count('\n'), text)


def is_type_only(stmt):
    """Whether an import/export ... from statement brings in types only (erased at compile time)."""
    if re.match(r'(import|export)\s+type\b', stmt):
        return True
    m = re.match(r'(import|export)\s*\{([^}]*)\}\s*from', stmt)
    if not m:
        return False
    names = [n.strip() for n in m.group(2).split(',') if n.strip()]
    return bool(names) and all(n.startswith('type ') for n in names)


def imports(path):
    """(line, target, type_only) for each relative import of the file at `path`."""
    text = strip_comments(open(path, encoding='utf8').read())
    for m in IMPORT.finditer(text):
        target = m.group('a') or m.group('b') or m.group('c') or m.group('d')
        if not target.startswith('.'):
            continue
        type_only = bool(m.group('a')) and is_type_only(m.group(0))
        yield text.count('\n', 0, m.start()) + 1, target, type_only


def where(rel):
    """(area, folder) of a repository path: ('src', 'nn'), ('src', 'index.ts'), ('pipelines', ...) or (None, None)."""
    parts = rel.split('/')
    if parts[0] == 'src' and len(parts) > 1:
        return 'src', parts[1]
    if parts[0] == 'pipelines':
        return 'pipelines', None
    return None, None


def check_one(src_rel, dst_rel, type_only):
    """Why the import of dst_rel from src_rel goes against the layers, or None."""
    sa, sf = where(src_rel)
    da, df = where(dst_rel)
    if da is None:
        return None
    if sa == 'pipelines':
        if da == 'src' and df == 'cli':
            return 'pipelines/ may not import src/cli'
        return None
    if sf == 'dashboard':
        if da == 'src' and df == 'dashboard':
            return None
        return None if type_only else 'src/dashboard is browser code: it may import only types from src/'
    if da == 'pipelines':
        return None if sf == 'cli' else 'only src/cli may import pipelines/'
    if df == 'dashboard':
        return None if (sf == 'cli' or type_only) else 'only src/cli may import src/dashboard'
    if sf == 'index.ts':
        return 'src/index.ts may not import src/cli' if df == 'cli' else None
    if df == 'index.ts':
        return 'only src/cli may import the package index' if sf != 'cli' else None
    if sf not in RANK:
        return f'src/{sf} is in no layer (add it to tools/check-layers.py)'
    if df not in RANK:
        return f'src/{df} is in no layer (add it to tools/check-layers.py)'
    if RANK[df] > RANK[sf]:
        return f'src/{sf} (layer {RANK[sf]}) imports src/{df} (layer {RANK[df]}), a higher layer'
    if src_rel.startswith('src/backend/js/') and dst_rel.startswith('src/backend/wasm/'):
        return 'src/backend/js/ may not import src/backend/wasm/ (compose them in src/backend/index.ts)'
    return None


def resolve(root, src_rel, target):
    base = os.path.normpath(os.path.join(os.path.dirname(src_rel), target))
    for cand in (base, base + '.ts', base + '.d.ts', os.path.join(base, 'index.ts'), base[:-3] + '.ts'):
        if os.path.isfile(os.path.join(root, cand)):
            return cand.replace(os.sep, '/')
    return base.replace(os.sep, '/')


def files(root):
    for top in ('src', 'pipelines'):
        for d, _, names in os.walk(os.path.join(root, top)):
            for n in sorted(names):
                if n.endswith('.ts'):
                    yield os.path.relpath(os.path.join(d, n), root).replace(os.sep, '/')


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..'))
    bad = []
    for rel in sorted(files(root)):
        for line, target, type_only in imports(os.path.join(root, rel)):
            dst = resolve(root, rel, target)
            why = check_one(rel, dst, type_only)
            if why:
                bad.append(f'{rel}:{line}: imports {target} ({dst}): {why}')
    for b in bad:
        print(b)
    if bad:
        print(f'check-layers: {len(bad)} upward import(s)', file=sys.stderr)
        return 1
    print('check-layers: no upward imports')
    return 0


if __name__ == '__main__':
    sys.exit(main())
