#!/usr/bin/env python3
"""A generated authority replayed day by day through the simulated clock: the alerts that
journey-timelinessd raises must match an independent count from the projection.

Each day D of the replay: `journey clock set D` (every daemon's day rollover), then the events
the CMS recorded on D are pushed, then we wait until journey-timelinessd has consumed the event
feed up to ingest's head, so each day's alerts are settled before the clock moves on.

The independent count is this file's own model, written from DOMAIN.md and docs/timeliness.md
without any of the C code: its own working-day calendar (the bank holidays table of DOMAIN.md),
its own due dates, and the alert rules applied to each deadline over the days it was running
and known. It reads start and end dates from the ingest projection (SQL), and the day each
record reached Journey from the pushed events. It covers the clocks whose start and end are one
record each (contact decision, assessment, IHA, PEP, RHI) for the children whose case never
closed; the alerts of those clocks for those children are compared kind by kind.

Run by ctest (tests/CMakeLists.txt) with the fixture's environment. Exit 0 on a match, 1 on a
difference (both tables printed), 77 when the daemons are not built.
"""
import collections
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time

CLI = os.environ["JOURNEY_CLI"]
SERVICES = os.environ.get("JOURNEY_SERVICES_DIR") or os.path.dirname(os.path.dirname(CLI))
ADMIN_URL = os.environ["JOURNEY_DATABASE_ADMIN_URL"]
CHILDREN = int(os.environ.get("REPLAY_CHILDREN", "300"))
SEED = os.environ.get("REPLAY_SEED", "17")
END = dt.date(2025, 3, 31)  # the generator's last day
TAIL_DAYS = 40  # days replayed after the last event, for the overdue alerts to come due
LEAD = 3  # timeliness/warn_lead
OVERDUE_BY = 5  # timeliness/overdue_by

# --- The working-day calendar: DOMAIN.md's table, nothing else ---------------------------------
BANK_HOLIDAYS = {
    2023: "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
    2024: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2025: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2026: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
}
HOLIDAYS = {dt.date.fromisoformat(f"{year}-{md}")
            for year, mds in BANK_HOLIDAYS.items() for md in mds.split()}


def working(day):
    return day.weekday() < 5 and day not in HOLIDAYS


def workday(day, n):
    """WORKDAY(day, n): the nth working day after day (day is day 0); n < 0 goes back."""
    step = 1 if n >= 0 else -1
    left = abs(n)
    while left:
        day += dt.timedelta(days=step)
        if working(day):
            left -= 1
    return day


DUE = {  # DOMAIN.md's limits, as deploy/journey.cfg sets them
    "contact_decision": lambda s: workday(s, 1),
    "assessment": lambda s: workday(s, 45),
    "iha": lambda s: workday(s, 20),
    "pep": lambda s: workday(s, 20),
    "rhi": lambda s: s + dt.timedelta(days=3),  # 72 hours on date-only data
}


def latest_kind(due, today):
    """The latest kind of the chain whose day has come (docs/timeliness.md), or None."""
    if today >= workday(due, OVERDUE_BY + 1):
        return "overdue_by"
    if today > due:
        return "overdue"
    if today == due:
        return "due_today"
    if today >= workday(due, -LEAD):
        return "due_soon"
    return None


def expected_alerts(start, seen, settled, last_day):
    """The kinds raised for one deadline. seen: the day its start reached Journey; settled: the
    day its meeting or ending record reached Journey (None: never)."""
    due = DUE_CLOCK(start)
    if seen > due:
        return set()  # already missed when it arrived: a backfill
    kinds = set()
    # Evaluated when it arrives, then at every day rollover while it runs (the rollover of the
    # day its end arrives comes before that day's push).
    # One that arrived already ended is evaluated once, as running, on the day it arrived.
    stop = last_day if settled is None else max(seen, min(settled, last_day))
    day = seen
    while day <= stop:
        kind = latest_kind(due, day)
        if kind:
            kinds.add(kind)
        day += dt.timedelta(days=1)
    return kinds


DUE_CLOCK = None


# The record each event of a counted clock names: (payload, its id) -> the day it was recorded.
RECORD_ID = {
    "contact_received": "contact_id", "contact_decided": "contact_id",
    "referral_received": "referral_id", "referral_closed": "referral_id",
    "assessment_completed": "assessment_id",
    "period_of_care_started": "period_id", "period_of_care_ended": "period_id",
    "missing_ended": "episode_id", "return_interview": "episode_id",
}


# --- Plumbing ----------------------------------------------------------------------------------
def sh(*args, env=None, check=True, capture=True):
    result = subprocess.run(args, env=env, text=True, capture_output=capture)
    if check and result.returncode != 0:
        sys.stderr.write(f"FAIL: {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}\n")
        sys.exit(1)
    return result


def london_day(timestamp):
    # The generator records between 08:00 and 19:00 UTC: the same day in London.
    moment = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return moment.date()


def main():
    ingestd = os.path.join(SERVICES, "ingest", "journey-ingestd")
    timelinessd = os.path.join(SERVICES, "timeliness", "journey-timelinessd")
    if not (os.access(ingestd, os.X_OK) and os.access(timelinessd, os.X_OK)):
        print("daemons not built")
        return 77
    work = tempfile.mkdtemp(prefix="journey-replay-")
    db = f"journey_replay_{os.getpid()}"
    admin = lambda sql: sh("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", ADMIN_URL, "-c", sql)
    query = lambda sql: sh("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-F", "|",
                           f"{ADMIN_URL} dbname={db}", "-c", sql).stdout.splitlines()
    env = dict(os.environ)
    env.update({
        "JOURNEY_LA_CODE": "872",
        "JOURNEY_INGEST_REQUEST": f"ipc://{work}/ingest.sock",
        "JOURNEY_INGEST_FEED": f"ipc://{work}/ingest-feed.sock",
        "JOURNEY_TIMELINESS_REQUEST": f"ipc://{work}/timeliness.sock",
        "JOURNEY_TIMELINESS_FEED": f"ipc://{work}/timeliness-feed.sock",
        "JOURNEY_TIMELINESS_EVENTS": f"ipc://{work}/ingest-feed.sock",
        # The whole suite runs, so that `journey clock set` and `journey status` hear from every
        # daemon they know of (one not running costs a timeout each call).
        "JOURNEY_ESCALATION_REQUEST": f"ipc://{work}/escalation.sock",
        "JOURNEY_ESCALATION_FEED": f"ipc://{work}/escalation-feed.sock",
        "JOURNEY_ESCALATION_ALERTS": f"ipc://{work}/timeliness-feed.sock",
        "JOURNEY_REPORTING_REQUEST": f"ipc://{work}/reporting.sock",
        "JOURNEY_REPORTING_OUT_DIR": work,
        "JOURNEY_TIMELINESS_WARN_LEAD": str(LEAD),
        "JOURNEY_TIMELINESS_OVERDUE_BY": str(OVERDUE_BY),
        "JOURNEY_DATABASE_ADMIN_URL": f"{ADMIN_URL} dbname={db}",
        "JOURNEY_DATABASE_INGEST_URL": f"{os.environ['JOURNEY_DATABASE_INGEST_URL']} dbname={db}",
        "JOURNEY_DATABASE_TIMELINESS_URL": f"{os.environ['JOURNEY_DATABASE_TIMELINESS_URL']} dbname={db}",
        "JOURNEY_DATABASE_ESCALATION_URL": f"{os.environ['JOURNEY_DATABASE_ESCALATION_URL']} dbname={db}",
        "JOURNEY_DATABASE_REPORTING_URL": f"{os.environ['JOURNEY_DATABASE_REPORTING_URL']} dbname={db}",
    })
    daemons = []
    try:
        admin(f"CREATE DATABASE {db}")
        sh(CLI, "migrate", env=env)

        # The authority, grouped by the day each event was recorded.
        generated = sh(CLI, "generate", "--la", "872", "--children", str(CHILDREN), "--years", "1",
                       "--seed", SEED, "--end", END.isoformat(), env=env).stdout
        by_day = collections.defaultdict(list)
        recorded = {}  # (payload kind, record id or event id) -> day it reached Journey
        closed_children = set()
        for line in generated.splitlines():
            event = json.loads(line)
            day = london_day(event["recorded_at"])
            by_day[day].append(line)
            kind = next(k for k in event if isinstance(event[k], dict))
            body = event[kind]
            if kind in RECORD_ID:
                recorded.setdefault((kind, body.get(RECORD_ID[kind])), day)
            recorded.setdefault(("event", event["event_id"]), day)
            if kind == "case_closed":
                closed_children.add(event["child_id"])
        first_day = min(by_day)
        last_day = max(by_day) + dt.timedelta(days=TAIL_DAYS)

        logs = []
        programs = [(ingestd, "ingestd"), (timelinessd, "timelinessd"),
                    (os.path.join(SERVICES, "escalation", "journey-escalationd"), "escalationd"),
                    (os.path.join(SERVICES, "reporting", "journey-reportingd"), "reportingd")]
        for program, name in programs:
            log = open(os.path.join(work, f"{name}.log"), "w")
            logs.append(log)
            daemons.append(subprocess.Popen([program, "--simulated-clock", "--date", first_day.isoformat()],
                                            env=env, stdout=log, stderr=subprocess.STDOUT))
        for _ in range(300):
            status = sh(CLI, "--json", "status", env=env, check=False)
            if status.returncode == 0:
                break
            time.sleep(0.1)

        def settle():
            """Wait until journey-timelinessd has consumed the event feed up to ingest's head."""
            for _ in range(2000):
                out = sh(CLI, "--json", "status", env=env, check=False).stdout
                try:
                    services = json.loads(out)
                except ValueError:
                    services = []
                head = position = None
                for service in services if isinstance(services, list) else services.get("daemons", []):
                    for feed in service.get("feeds", []):
                        if feed.get("feed") == "events" and feed.get("role") == "publisher":
                            head = feed.get("position")
                        if feed.get("feed") == "events" and feed.get("role") == "subscriber":
                            position = feed.get("position")
                if head is not None and position is not None and position >= head:
                    return
                time.sleep(0.01)
            sys.stderr.write(f"FAIL: journey-timelinessd did not catch up: {out}\n")
            sys.exit(1)

        day = first_day
        pushed = 0
        while day <= last_day:
            sh(CLI, "clock", "set", day.isoformat(), env=env)
            if by_day.get(day):
                path = os.path.join(work, "day.jsonl")
                with open(path, "w") as f:
                    f.write("\n".join(by_day[day]) + "\n")
                sh(CLI, "push", path, env=env)
                pushed += len(by_day[day])
            settle()
            if os.environ.get("REPLAY_VERBOSE"):
                print(f"{day} pushed {pushed}", flush=True)
            day += dt.timedelta(days=1)
        print(f"replayed {pushed} events over {(last_day - first_day).days + 1} days")

        # --- The independent count, from the projection --------------------------------------
        expected = collections.Counter()
        global DUE_CLOCK

        def count(clock, child, start, met, ended, start_key, end_key):
            global DUE_CLOCK
            if child in closed_children or start is None:
                return
            DUE_CLOCK = DUE[clock]
            settled = None
            if met is not None and (ended is None or met <= ended):
                settled = recorded[end_key[0]]
            elif ended is not None:
                settled = recorded[end_key[1]]
            for kind in expected_alerts(start, recorded[start_key], settled, last_day):
                expected[(clock, kind)] += 1

        d = lambda text: dt.date.fromisoformat(text) if text else None
        for child, contact, received, decided in (r.split("|") for r in query(
                "SELECT child_id, contact_id, received_on, decided_on FROM ingest.contact")):
            count("contact_decision", child, d(received), d(decided), None,
                  ("contact_received", contact), (("contact_decided", contact), None))
        for child, referral, received, closed, assessment, done in (r.split("|") for r in query(
                "SELECT r.child_id, r.referral_id, r.received_on, r.closed_on, a.assessment_id,"
                "       coalesce(a.authorised_on, a.completed_on)"
                "  FROM ingest.referral r LEFT JOIN LATERAL ("
                "       SELECT * FROM ingest.assessment a WHERE a.la_code = r.la_code AND a.child_id = r.child_id"
                "          AND a.referral_id = r.referral_id AND NOT coalesce(a.legacy_initial, false)"
                "          AND a.completed_on IS NOT NULL AND coalesce(a.authorised_on, a.completed_on) >= r.received_on"
                "        ORDER BY coalesce(a.authorised_on, a.completed_on) LIMIT 1) a ON true")):
            count("assessment", child, d(received), d(done), d(closed), ("referral_received", referral),
                  (("assessment_completed", assessment), ("referral_closed", referral)))
        for clock, table, where in (("iha", "ingest.health", "AND h.kind = 'initial'"), ("pep", "ingest.pep", "")):
            for child, period, started, ended, event, done in (r.split("|") for r in query(
                    f"SELECT p.child_id, p.period_id, p.started_on, p.ended_on, h.event_id, h.done_on"
                    f"  FROM ingest.care_period p LEFT JOIN LATERAL ("
                    f"       SELECT * FROM {table} h WHERE h.la_code = p.la_code AND h.child_id = p.child_id"
                    f"          AND h.done_on >= p.started_on {where} ORDER BY h.done_on LIMIT 1) h ON true")):
                count(clock, child, d(started), d(done), d(ended), ("period_of_care_started", period),
                      (("event", event), ("period_of_care_ended", period)))
        for child, episode, ended, rhi in (r.split("|") for r in query(
                "SELECT child_id, episode_id, ended_on, rhi_on FROM ingest.missing WHERE ended_on IS NOT NULL")):
            count("rhi", child, d(ended), d(rhi), None, ("missing_ended", episode),
                  (("return_interview", episode), None))

        closed = ",".join(f"'{c}'" for c in sorted(closed_children)) or "''"
        actual = collections.Counter()
        for clock, kind, n in (r.split("|") for r in query(
                "SELECT clock, kind, count(*) FROM timeliness.alert_feed"
                f" WHERE clock IN ('contact_decision','assessment','iha','pep','rhi') AND child_id NOT IN ({closed})"
                " GROUP BY 1, 2")):
            actual[(clock, kind)] = int(n)

        keys = sorted(set(expected) | set(actual))
        print(f"{'clock':18} {'kind':12} {'expected':>9} {'daemon':>9}")
        for key in keys:
            mark = "" if expected[key] == actual[key] else "   <-- differs"
            print(f"{key[0]:18} {key[1]:12} {expected[key]:9} {actual[key]:9}{mark}")
        total = sum(expected.values())
        if expected != actual:
            print("FAIL: the daemon's alerts differ from the independent count")
            return 1
        if total < 50:
            print(f"FAIL: only {total} alerts expected: the replay is too small to prove anything")
            return 1
        print(f"replay: {total} alerts match the independent count")
        return 0
    finally:
        for daemon in daemons:
            daemon.terminate()
            try:
                daemon.wait(10)
            except subprocess.TimeoutExpired:
                daemon.kill()
        subprocess.run(["psql", "-X", "-q", "-tA", ADMIN_URL, "-c",
                        f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], capture_output=True)
        if os.environ.get("REPLAY_KEEP"):
            print(f"kept {work}")
        else:
            subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
