#!/usr/bin/env python3
"""Strict bounds of representative EDTF level 0/1 strings, per the python `edtf` package.

Writes edtf-bounds.tsv beside this script: input, lower, upper (one row per input, tab-separated),
each bound as YYYY-MM-DD (-YYYY-MM-DD before year 0), or -inf / inf for an open end.
HistoricalDateTests checks every row against Annals' parser.

    pip install edtf   # tested with edtf 5.0.2
    python3 Tests/AnnalsCoreTests/Fixtures/edtf_bounds.py

Inputs python `edtf` cannot handle are reported on stderr and left out of the TSV.
"""

import math
import os
import sys

from edtf import parse_edtf

INPUTS = [
    # Level 0: dates
    "1985-04-12", "1985-04", "1985", "0000", "0001", "9999", "1956-10-19", "1956-10", "1956",
    "2000-02-29", "1600-02-29", "2000-02", "2004-02", "1900-02", "2100-02", "2019-02", "1999-12-31",
    # Level 0: date-times (bounds are the day as written)
    "1985-04-12T23:20:30", "1985-04-12T23:20:30Z", "1985-04-12T23:20:30-04", "1985-04-12T23:20:30+04:30",
    "2001-02-03T09:30:01", "2004-01-01T10:10:10Z", "2004-01-01T10:10:10+05:00", "1985-04-12T24:00:00",
    # Level 0: intervals
    "1964/2008", "2004-06/2006-08", "2004-02-01/2005-02-08", "2004-02-01/2005-02", "2004-02-01/2005",
    "2005/2006-02", "1956/1956", "1956-10/1956-10-19",
    # Level 1: qualifiers
    "1984?", "2004-06~", "2004-06-11%", "2004?", "2004-06-11~", "1984-02%",
    # Level 1: unspecified digits
    "201X", "20XX", "2004-XX", "1985-04-XX", "1985-XX-XX", "195X", "19XX", "2004-02-XX", "1900-02-XX",
    "201X?", "2004-XX~", "1985-04-XX%", "19XX~",
    # Level 1: seasons
    "2001-21", "2001-22", "2001-23", "2001-24", "2003-24", "-0001-21",
    # Level 1: negative years and year zero
    "-1985", "-0660", "-0001", "-0004-02-29", "-1985-04-12?", "-0660-03~", "-19XX", "-201X",
    "-1985-XX", "-1985-04-XX", "-0004-02-XX",
    # Level 1: long years
    "Y170000002", "Y-170000002", "Y10000",
    # Level 1: open interval ends
    "1985-04-12/..", "1985-04/..", "1985/..", "../1985-04-12", "../1985-04", "../1985",
    # Level 1: unknown interval ends
    "1985-04-12/", "1985-04/", "1985/", "/1985-04-12", "/1985-04", "/1985",
    "2004-02-29/", "/2004-02-29", "-0004-02-29/", "2001-21/", "/2001-23",
    # Level 1: qualified intervals
    "1984~/2004-06", "1984/2004-06~", "1984~/2004~", "1984?/2004%", "1984-06?/2004-08?",
    "1984-06-02?/2004-08-08~", "1984-06-02?/..", "2004-06~/2004-06-11%", "2004?/", "../2004-06~",
    # Level 1: intervals with seasons and negative years
    "2001-21/2002-22", "2001-23/..", "2001/2001-24", "2001-24/2002", "-0660/-0500", "-0660-02/0010~",
]


def day(t):
    if isinstance(t, float):
        if math.isinf(t):
            return "-inf" if t < 0 else "inf"
        raise ValueError(f"unexpected bound {t!r}")
    y, m, d = t[0], t[1], t[2]
    sign = "-" if y < 0 else ""
    return f"{sign}{abs(y):04d}-{m:02d}-{d:02d}"


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "edtf-bounds.tsv")
    rows = []
    for text in INPUTS:
        try:
            value = parse_edtf(text)
            rows.append((text, day(value.lower_strict()), day(value.upper_strict())))
        except Exception as error:  # noqa: BLE001 - report and skip whatever python edtf cannot do
            print(f"skipped {text!r}: {type(error).__name__}: {error}", file=sys.stderr)
    with open(out, "w", encoding="utf-8") as f:
        f.write("input\tlower\tupper\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
