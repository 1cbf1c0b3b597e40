#!/usr/bin/python3
"""Record PyTorch's output of the examples' twin scripts for test/train/examples.test.ts.

Usage, from the repository root (Debian's python3-torch and node; not run in CI):
    /usr/bin/python3 tools/gen_example_outputs.py test/fixtures
Writes test/fixtures/examples-pytorch.json: {"02": stdout of tools/lesson_example02.py,
"03": stdout of tools/lesson_example03.py}. The test runs examples/02 and 03 and requires
the same text, character for character.
"""
import json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
out_dir = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures'
outputs = {}
for key, script in [("02", "lesson_example02.py"), ("03", "lesson_example03.py")]:
    outputs[key] = subprocess.check_output([sys.executable, os.path.join(here, script)], text=True)
import torch
json.dump({"generator": "torch " + torch.__version__, "outputs": outputs}, open(os.path.join(out_dir, "examples-pytorch.json"), "w"), indent=1)
print("wrote", os.path.join(out_dir, "examples-pytorch.json"))
