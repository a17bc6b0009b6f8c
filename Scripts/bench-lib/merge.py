#!/usr/bin/env python3
"""Replaces the Annals results of one bench run with those of a later `Scripts/bench --only annals` run.

Usage: merge.py BASE.jsonl ANNALS.jsonl OUT.jsonl. Kept from BASE: the machine, the control corpus, the corpus
summaries, the baselines and the peers. Taken from ANNALS: every `annals_*` phase, Annals latency lines and
timings of Annals phases. Both runs must use the same seed and sizes (the corpus is then the same events).
"""
import json, sys

def is_annals(r):
    p, d = r["phase"], r["data"]
    return (p.startswith("annals_") or (p == "latency" and d.get("system") == "annals")
            or (p == "timing" and d.get("name", "").startswith("annals")))

base = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
annals = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
machine = next(r["data"] for r in base if r["phase"] == "machine")
rerun = next(r["data"] for r in annals if r["phase"] == "machine")
assert machine["seed"] == rerun["seed"], "the runs used different seeds"
with open(sys.argv[3], "w") as out:
    for r in base:
        if not is_annals(r):
            if r["phase"] == "machine":
                r["data"]["annals_rerun_started"] = rerun["started"]
                r["data"]["annals_rerun_git"] = rerun["git"]
            out.write(json.dumps(r) + "\n")
    for r in annals:
        if is_annals(r):
            out.write(json.dumps(r) + "\n")
