"""Checks an nbconvert-executed notebook: every code cell has an execution_count, and a cell whose
metadata carries `hypernote_expect` = {"output_type": ..., "text": ...} produced such an output."""
import json
import sys


def joined(v):
    # nbformat may store a multi-line string as a list of lines
    return "".join(v) if isinstance(v, list) else (v or "")


def text_of(out):
    if out.get("output_type") == "stream":
        return joined(out.get("text"))
    data = out.get("data", {})
    return joined(data.get("text/plain")) + joined(data.get("text/html"))


def main(path):
    with open(path) as f:
        nb = json.load(f)
    failures = []
    counts = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if not isinstance(cell.get("execution_count"), int):
            failures.append(f"cell {i}: execution_count is {cell.get('execution_count')!r}")
        counts.append(cell.get("execution_count"))
        for exp in cell.get("metadata", {}).get("hypernote_expect", []):
            hits = [o for o in cell["outputs"] if o["output_type"] == exp["output_type"] and exp["text"] in text_of(o)]
            if not hits:
                failures.append(f"cell {i}: no {exp['output_type']} containing {exp['text']!r}; got {cell['outputs']!r}"[:500])
    if counts != sorted(counts):
        failures.append(f"execution counts not increasing: {counts}")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(f"{path}: {len(counts)} code cells executed, counts {counts}, expected outputs present")


if __name__ == "__main__":
    main(sys.argv[1])
