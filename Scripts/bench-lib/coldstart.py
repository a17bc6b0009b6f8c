#!/usr/bin/env python3
"""Cold start of annalsd: time from exec to its "listening on" line, on an existing store.

Usage: coldstart.py ANNALSD DB. Drops the page cache first when the kernel lets us (root, writable
/proc/sys/vm/drop_caches) and says whether it could; then two warm starts for comparison. One JSON line.
"""
import json, subprocess, sys, time

annalsd, db = sys.argv[1], sys.argv[2]

def drop_caches():
    try:
        subprocess.run(["sync"], check=False)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False

def start_once():
    t0 = time.perf_counter()
    p = subprocess.Popen([annalsd, "--db", db, "--host", "127.0.0.1", "--port", "0", "--log-level", "warning"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    ms = None
    for line in p.stdout:
        if "listening on" in line:
            ms = (time.perf_counter() - t0) * 1000
            break
    rss = 0
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for l in f:
                if l.startswith("VmRSS:"):
                    rss = int(l.split()[1])
    except OSError:
        pass
    # annalsd can miss a SIGTERM sent the instant it prints its ready line (its Dispatch signal source is
    # not registered yet): give it a moment, and kill it if it still does not exit.
    time.sleep(0.3)
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return ms, rss

dropped = drop_caches()
cold, cold_rss = start_once()
warm = [start_once()[0] for _ in range(2)]
print(json.dumps({"cold_ms": cold, "dropped_page_cache": dropped, "warm_ms": warm, "rss_after_start_kib": cold_rss}))
