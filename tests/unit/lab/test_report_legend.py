#!/usr/bin/python3
"""The timeline SVG's legend: no label runs into the next entry's swatch,
in the generator (lab/egresslab/report.py) for 1..10 routers (the lab
runs 2..8) and in the
committed sample docs/lab-timeline.svg.

usage: test_report_legend.py LAB_DIR SVG"""

import os
import re
import sys
import unittest

here = os.path.dirname(__file__)
sys.path.insert(0, sys.argv.pop(1) if len(sys.argv) > 1 else
                os.path.join(here, "..", "..", "..", "lab"))
SVG = sys.argv.pop(1) if len(sys.argv) > 1 else \
    os.path.join(here, "..", "..", "..", "docs", "lab-timeline.svg")

from egresslab import report  # noqa: E402


def overlaps(entries, right):
    """entries: [(swatch x, label)]; the first entry whose label (swatch,
    4 px, text) reaches the next swatch or past right, else None."""
    for i, (x, label) in enumerate(entries):
        end = x + report.LEGEND_SWATCH + report.legend_text_width(label)
        limit = entries[i + 1][0] if i + 1 < len(entries) else right
        if end >= limit:
            return label
    return None


class Legend(unittest.TestCase):
    def test_generator(self):
        for n in range(1, 11):
            e = report.legend_layout(n, 1000)
            self.assertEqual([lb for _x, lb in e], [f"router {i + 1}" for i in range(n)])
            self.assertIsNone(overlaps(e, 1000 - 20 + 1), n)
            self.assertGreaterEqual(e[0][0], 0, n)

    def test_committed_svg(self):
        with open(SVG) as f:
            svg = f.read()
        found = re.findall(r'<rect x="([0-9.]+)" y="26" width="10" height="10" fill="[^"]+"/>'
                           r'<text x="([0-9.]+)" y="35">([^<]+)</text>', svg)
        self.assertGreaterEqual(len(found), 2)
        width = float(re.search(r'<svg [^>]*width="([0-9.]+)"', svg).group(1))
        entries = []
        for rx, tx, label in found:
            self.assertEqual(float(tx) - float(rx), report.LEGEND_SWATCH)
            entries.append((float(rx), label))
        self.assertIsNone(overlaps(entries, width - 20 + 1))


if __name__ == "__main__":
    unittest.main()
