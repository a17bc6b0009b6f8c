#!/usr/bin/env python3
"""Summarises pgbench per-transaction logs (-l): latency percentiles in microseconds, as one JSON line.

Usage: pgbench_log.py DIR QUERY CLIENTS. pgbench writes DIR/tx.<pid>[.<thread>]; each line is
`client_id transaction_no time_us script_no epoch epoch_us`, with time_us the transaction's latency.
"""
import glob, json, math, os, re, sys

directory, query, clients = sys.argv[1], sys.argv[2], int(sys.argv[3])
latencies = []
for path in glob.glob(os.path.join(directory, "tx.*")):
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                latencies.append(int(parts[2]))
latencies.sort()

def pct(p):
    if not latencies:
        return 0
    return latencies[min(len(latencies) - 1, max(0, math.ceil(p / 100 * len(latencies)) - 1))]

out = open(os.path.join(directory, "out.txt")).read()
tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
duration = re.search(r"duration: ([0-9]+) s", out)
seconds = float(duration.group(1)) if duration else 0
print(json.dumps({
    "system": "postgresql", "query": query, "clients": clients, "count": len(latencies),
    "seconds": seconds, "ops_per_second": float(tps.group(1)) if tps else (len(latencies) / seconds if seconds else 0),
    "p50_us": pct(50), "p99_us": pct(99), "p999_us": pct(99.9),
    "mean_us": sum(latencies) / len(latencies) if latencies else 0, "max_us": latencies[-1] if latencies else 0,
}, sort_keys=True))
