#!/usr/bin/env python3
"""The demo's authority through the real daemons: every measure of the board pack has a value,
and the ones with a national figure lie near it.

deploy/demo generates an authority (`journey generate`), pushes it with the clock on the day
after the history ends, and asks journey-reportingd for the board pack of the last year. A
history too short shows "no data" for adoption (an adoption takes one to three years from
entering care), long-term stability (children looked after 2.5 years or more) and care leavers
aged 19-21, and no repeat CP plans. This test does the same with an authority of the demo's
shape (its years and seed; fewer children, with the child population scaled to match, so that
the rates per 10,000 stay those of the demo) and checks each measure's value against the band
written below.

The bands are the national figures of DOMAIN.md and domain/measures/jy_measures.c with room for an
authority of this size; measures with no national figure need a value only, except the rates,
held to national orders of magnitude.

Run by ctest (tests/CMakeLists.txt) with the fixture's environment. DEMO_CHILDREN and DEMO_SEED
change the authority (the seed is printed). Exit 0 when every measure passes, 1 otherwise (each
failure printed), 77 when the daemons are not built.
"""
import datetime as dt
import glob
import json
import os
import subprocess
import sys
import shutil
import tempfile
import time

CLI = os.environ["JOURNEY_CLI"]
SERVICES = os.environ.get("JOURNEY_SERVICES_DIR") or os.path.dirname(os.path.dirname(CLI))
ADMIN_URL = os.environ["JOURNEY_DATABASE_ADMIN_URL"]

# The demo's shape (deploy/demo): its years, end and seed; its children per child of the
# population (deploy/demo: 20,000 children for a population of 38,000).
DEMO_CHILDREN, DEMO_POPULATION = 20000, 38000
YEARS, END = 6, dt.date(2025, 3, 31)
CHILDREN = int(os.environ.get("DEMO_CHILDREN", "8000"))
SEED = os.environ.get("DEMO_SEED", "2025")
POPULATION = CHILDREN * DEMO_POPULATION // DEMO_CHILDREN
# The pack of the year to the history's end, as deploy/demo asks for: a board's annual report.
PERIOD = ("2024-04-01", "2025-03-31")

# name: (low, high), both included. National figures: DOMAIN.md, jy_measures.c, DfE 2024/25.
BANDS = {
    "re_referrals": (15, 30),                    # 22% (2024)
    "assessments_in_time": (78, 93),             # 85.7% (2025)
    "icpc_in_time_s47": (65, 92),                # 81.4% (2025)
    "repeat_cp_plans_ever": (15, 30),            # 23% (2025, DfE: second or subsequent)
    "repeat_cp_plans_2y": (3, 25),               # a part of the above
    "long_cp_plans": (1.5, 9),                   # 4.4% (2025): of some 65 plans ending, 1 to 6
    "long_term_stability": (55, 80),             # 68% (2024)
    "placement_moves": (4, 16),                  # 10% (2024)
    "adoption_a1": (300, 600),                   # threshold 426 days; national about 450
    "adoption_a2": (60, 250),                    # threshold 121 days; national about 180
    "adoption_within_21_months": (50, 100),
    "adoption_within_12_months_of_adm": (40, 100),
    "care_leavers_accommodation": (75, 95),      # 88% (2024)
    "care_leavers_eet": (40, 75),                # 56% (2024)
    "cin_rate": (150, 700),                      # about 330 per 10,000 (2024)
    "cp_rate": (15, 90),                         # 41.6 per 10,000 (2024)
    "cla_rate": (35, 140),                       # 70 per 10,000 (2024)
    "caseload_average": (10, 25),                # about 17 open cases per worker (2024)
    "workers_over_caseload": (0, 40),            # a minority over timeliness/caseload/threshold
}


# deploy/journey.cfg: timeliness/caseload/threshold (the pack's workers_over_caseload).
CASELOAD_THRESHOLD = 20


def sh(*args, env=None, check=True):
    result = subprocess.run(args, env=env, text=True, capture_output=True)
    if check and result.returncode != 0:
        sys.stderr.write(f"FAIL: {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}\n")
        sys.exit(1)
    return result


def demo_caseloads(work, env):
    """Open cases per worker at the end of the demo's own authority (its 20,000 children), from
    its events by the rules of caseload_average (ingest's projection): an allocation spell ends
    at the next allocation or an unallocation; case_closed closes the case and a later contact or
    referral reopens it. The workforce must grow with the children, and a closed case must not
    stay on its worker's list when a later contact reopens the record."""
    authority = os.path.join(work, "demo.jsonl")
    sh(CLI, "generate", "--la", "872", "--children", str(DEMO_CHILDREN), "--years", str(YEARS),
       "--seed", SEED, "--end", END.isoformat(), "--out", authority, env=env)
    events = []
    with open(authority) as f:
        for line in f:
            event = json.loads(line)
            if event["occurred_on"] <= END.isoformat():
                events.append((event["occurred_on"], int(event["event_id"].split("-E")[1]), event))
    os.unlink(authority)
    events.sort(key=lambda e: e[:2])
    worker, closed = {}, {}
    for _, _, event in events:
        child = event["child_id"]
        if "worker_allocated" in event:
            worker[child] = event["worker_allocated"]["allocated_worker_id"]
        elif "worker_unallocated" in event:
            worker.pop(child, None)
        elif "case_closed" in event:
            closed[child] = True
        elif "contact_received" in event or "referral_received" in event:
            closed[child] = False
    cases = {}
    for child, holder in worker.items():
        if not closed.get(child):
            cases[holder] = cases.get(holder, 0) + 1
    return sum(cases.values()) / len(cases), 100 * sum(n > CASELOAD_THRESHOLD for n in cases.values()) / len(cases)


def main():
    programs = [os.path.join(SERVICES, d, f"journey-{d}d")
                for d in ("ingest", "timeliness", "escalation", "reporting")]
    if not all(os.access(p, os.X_OK) for p in programs):
        print("daemons not built")
        return 77
    print(f"authority: {CHILDREN} children over {YEARS} years to {END}, seed {SEED}, "
          f"child population {POPULATION}", flush=True)
    work = tempfile.mkdtemp(prefix="journey-demo-pack-")
    db = f"journey_demo_pack_{os.getpid()}"
    env = dict(os.environ)
    env.update({
        "JOURNEY_LA_CODE": "872",
        "JOURNEY_LA_CHILD_POPULATION": str(POPULATION),
        "JOURNEY_INGEST_REQUEST": f"ipc://{work}/ingest.sock",
        "JOURNEY_INGEST_FEED": f"ipc://{work}/ingest-feed.sock",
        "JOURNEY_TIMELINESS_REQUEST": f"ipc://{work}/timeliness.sock",
        "JOURNEY_TIMELINESS_FEED": f"ipc://{work}/timeliness-feed.sock",
        "JOURNEY_TIMELINESS_EVENTS": f"ipc://{work}/ingest-feed.sock",
        "JOURNEY_ESCALATION_REQUEST": f"ipc://{work}/escalation.sock",
        "JOURNEY_ESCALATION_FEED": f"ipc://{work}/escalation-feed.sock",
        "JOURNEY_ESCALATION_ALERTS": f"ipc://{work}/timeliness-feed.sock",
        "JOURNEY_REPORTING_REQUEST": f"ipc://{work}/reporting.sock",
        "JOURNEY_REPORTING_OUT_DIR": work,
        # A smaller authority than the demo's has fewer adoptions a year than the demo's
        # suppression threshold (5): show every count, so that the values can be checked.
        "JOURNEY_REPORTING_SUPPRESS_BELOW": "1",
        "JOURNEY_DATABASE_ADMIN_URL": f"{ADMIN_URL} dbname={db}",
    })
    for role in ("INGEST", "TIMELINESS", "ESCALATION", "REPORTING"):
        key = f"JOURNEY_DATABASE_{role}_URL"
        env[key] = f"{os.environ[key]} dbname={db}"
    day_after = (END + dt.timedelta(days=1)).isoformat()
    daemons, logs = [], []
    sh("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", ADMIN_URL, "-c", f"CREATE DATABASE {db}")
    try:
        sh(CLI, "migrate", env=env)
        authority = os.path.join(work, "authority.jsonl")
        sh(CLI, "generate", "--la", "872", "--children", str(CHILDREN), "--years", str(YEARS),
           "--seed", SEED, "--end", END.isoformat(), "--out", authority, env=env)
        for program in programs:
            log = open(os.path.join(work, os.path.basename(program) + ".log"), "w")
            logs.append(log)
            daemons.append(subprocess.Popen([program, "--simulated-clock", "--date", day_after],
                                            env=env, stdout=log, stderr=subprocess.STDOUT))
        for _ in range(300):
            if sh(CLI, "--json", "status", env=env, check=False).returncode == 0:
                break
            time.sleep(0.1)
        sh(CLI, "push", authority, env=env)
        # The in-time measures read timelinessd's deadlines: wait until it has consumed the feed.
        for _ in range(3000):
            out = sh(CLI, "--json", "status", env=env, check=False).stdout
            try:
                status = json.loads(out)
            except ValueError:
                status = {}
            pos = {(f["feed"], f["role"]): f.get("position", 0)
                   for d in status.get("daemons", []) for f in d.get("feeds", [])}
            if pos.get(("events", "subscriber"), -1) >= pos.get(("events", "publisher"), 0) > 0:
                break
            time.sleep(0.1)
        else:
            sys.stderr.write(f"FAIL: journey-timelinessd did not catch up: {out}\n")
            return 1
        sh(CLI, "report", "board-pack", "--la", "872", "--from", PERIOD[0], "--to", PERIOD[1],
           "--format", "json", "--out", work, env=env)
        [path] = glob.glob(os.path.join(work, "board-pack-872-*.json"))
        with open(path) as f:
            pack = json.load(f)
    finally:
        for daemon in daemons:
            daemon.terminate()
        for daemon in daemons:
            try:
                daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        for log in logs:
            log.close()
        sh("psql", "-X", "-q", ADMIN_URL, "-c", f"DROP DATABASE IF EXISTS {db}", check=False)

    failures = []
    average, over = demo_caseloads(work, env)
    print(f"  demo's authority ({DEMO_CHILDREN} children): {average:.1f} open cases per worker, "
          f"{over:.0f}% of workers over {CASELOAD_THRESHOLD}")
    low, high = BANDS["caseload_average"]
    if not low <= average <= high:
        failures.append(f"demo's caseload_average: {average:.1f} outside {low}-{high}")
    if over > BANDS["workers_over_caseload"][1]:
        failures.append(f"demo's workers_over_caseload: {over:.0f}% over {BANDS['workers_over_caseload'][1]}")
    names = set()
    for measure in pack["measures"]:
        name = measure["name"]
        names.add(name)
        current = measure.get("current") or {}
        value = current.get("value")
        shown = f"{value}" if value is not None else "no data"
        if current.get("suppressed"):
            shown = "suppressed"
        band = BANDS.get(name)
        print(f"  {name:36} {shown:>10}  (n {current.get('numerator')}/{current.get('denominator')})"
              f"  band {band[0]}-{band[1]}" if band else
              f"  {name:36} {shown:>10}  (n {current.get('numerator')}/{current.get('denominator')})")
        if value is None or current.get("suppressed"):
            failures.append(f"{name}: {shown}")
        elif band and not band[0] <= value <= band[1]:
            failures.append(f"{name}: {value} outside {band[0]}-{band[1]}")
    # deploy/demo's pack suppresses counts under 5: its period must end enough CP plans that the
    # long ones at the national 4.4% are 5 or more (a quarter ends a quarter as many).
    [long_cp] = [m for m in pack["measures"] if m["name"] == "long_cp_plans"]
    ending = int((long_cp.get("current") or {}).get("denominator") or 0)
    if ending * DEMO_CHILDREN / CHILDREN * 0.044 < 5:
        failures.append(f"long_cp_plans: {ending} plans ending, {ending * DEMO_CHILDREN // CHILDREN} "
                        f"in the demo: 4.4% of them under the demo's suppression threshold (5)")
    # The trend of a year's pack is its twelve months, April to March.
    months = [f"{y}-{m:02}" for y, m in [(2024, m) for m in range(4, 13)] + [(2025, m) for m in range(1, 4)]]
    if pack.get("months") != months:
        failures.append(f"trend months {pack.get('months')}, not {months[0]} to {months[-1]}")
    for name in sorted(set(BANDS) - names):
        failures.append(f"{name}: not in the pack")
    for failure in failures:
        print(f"FAIL: {failure}")
    if failures:
        print(f"kept for a look: {work}")
        return 1
    print(f"all {len(names)} measures have a value; {len(BANDS)} within their bands")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
