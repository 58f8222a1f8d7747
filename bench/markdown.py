"""Benchmark: rendering the worst Markdown an author can save, at the field limits, and
reading the worst GIFT file an author can upload.

Run:  .venv/bin/python -m bench.markdown [--rounds 3] [--scale 1.0]

Each input fills a field to its limit (a lesson's text 200,000 characters, a question's
prompt 3,000, a GIFT file 1 MB) with one shape that made Python-Markdown slow before its
bounds (issue 15): unclosed brackets, a heading on every line, lists nested on every line,
dense emphasis, abbreviations, fenced code, raw tags. The baseline is plain prose of the same
length, in the same run; `--scale` shrinks every input (the test suite runs it at 0.02).
"""
from __future__ import annotations

import argparse

from nmt_course.content.gift import read_gift
from nmt_course.content.markdown import render_block, render_inline

from .common import report, timed

LESSON, PROMPT = 200_000, 3_000
SHAPES = {
    "unclosed [": "[",
    "unclosed ![": "![",
    "[a]( unclosed": "[a](",
    "unclosed <a": "<a ",
    "heading lines": "# a\n",
    "rule after each line": "a\n***\n",
    "lists nested 10 deep": "- - - - - - - - - - a\n",
    "hard line breaks": "a  \n",
    "dense emphasis": "*a* ",
    "abbreviations": "*[A]: b\n",
    "fenced code": "```\n",
    "raw tags": "<b>a</b> ",
    "footnote references": "x[^a]\n\n[^a]: b\n\n",
    "references": "[a]: b\n[a] ",
}


def filled(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def gift_file(size: int, head: str, unit: str) -> str:
    """A GIFT file of about `size` characters, in as many questions as a file may hold
    (1,000), each a prompt of `unit` repeated after `head`, and two answers."""
    prompt = filled(unit, min(4_800, size // 1_000))
    return "".join(f"::q{n}::{head}{prompt}{{=yes ~no}}\n\n" for n in range(1_000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    lesson, prompt = int(LESSON * args.scale), int(PROMPT * args.scale)
    gift = int(1024 * 1024 * args.scale)
    inputs = {"lesson of plain prose (baseline)": (render_block, filled("word ", lesson))}
    for name, unit in SHAPES.items():
        inputs[f"lesson: {name}"] = (render_block, filled(unit, lesson))
    inputs["prompt of plain prose"] = (render_inline, filled("word ", prompt))
    inputs["prompt: unclosed ["] = (render_inline, filled("[", prompt))
    inputs["GIFT file of plain questions"] = (read_gift, gift_file(gift, "", "Which one? "))
    inputs["GIFT file of HTML paragraphs"] = (read_gift, gift_file(
        gift, "[html]", "<p><b>a</b> <i>b</i></p>"))
    inputs["GIFT file of [ in Markdown"] = (read_gift, gift_file(gift, "[markdown]", "["))
    samples: dict[str, list[float]] = {name: [] for name in inputs}
    for _ in range(args.rounds):
        for name, (action, text) in inputs.items():
            samples[name].append(timed(lambda: action(text)))
    report(samples, "lesson of plain prose (baseline)", "input at its field limit")


if __name__ == "__main__":
    main()
