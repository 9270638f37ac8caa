#!/usr/bin/env python3
"""One-off edit for the two-engine course (issue 11): the first code cell of every notebook loads
lib/TorchSharp.dll (real TorchSharp or Course.Torch, both built as TorchSharp.dll) instead of
lib/Course.Torch.dll, and the few code lines that used Course.Torch-only API move to course code
(ModuleExtensions.save_safetensors, ModelFiles.ReadMetadata, data<T>().ToArray()).
Touches only those lines; every other byte of each cell stays as it is."""
import json, pathlib, re

root = pathlib.Path(__file__).resolve().parent.parent
for path in sorted((root / "notebooks").glob("*.ipynb")):
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    first = True
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = cell["source"] if isinstance(cell["source"], list) else cell["source"].splitlines(keepends=True)
        new = []
        for line in lines:
            out = line
            if first:
                out = out.replace('#r "../lib/Course.Torch.dll"', '#r "../lib/TorchSharp.dll"')
            out = re.sub(r'torch\.load_metadata\(', 'Course.Diffusion.Models.ModelFiles.ReadMetadata(', out)
            out = re.sub(r'(\w+)\.save\((checkpoint\b)', r'\1.save_safetensors(\2', out)
            out = re.sub(r'\.data<(\w+)>\(\)(?!\.ToArray\(\))', r'.data<\1>().ToArray()', out)
            changed |= out != line
            new.append(out)
        cell["source"] = new
        first = False
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print("edited", path.name)
