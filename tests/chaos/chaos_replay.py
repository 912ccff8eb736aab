#!/usr/bin/env python3
"""Chaos replay (DESIGN.md invariant 6): a generated authority replayed day by day through the
four daemons twice, cleanly into database A, then into database B while every daemon is
SIGKILLed at moments drawn from a seed and PostgreSQL is restarted once; B must equal A.

The replay, both runs alike: the history recorded before DAILY_FROM (the backlog) is pushed on
that day into journey-ingestd, BACKLOG_BATCH events a batch, and journey-timelinessd and
journey-escalationd then start and catch up on it from the tables. Then each day D up to
TAIL_DAYS after the last event: `journey clock set D`; wait until every daemon answers Status
for D (a daemon answers only after its day rollover), healthy; push the events recorded on D
in one batch; wait until the feeds are settled (timelinessd at ingest's event head, escalationd
at timelinessd's alert head, no board pack in reportingd's queue). Escalation policies raise
disputes from OVERDUE_BY alerts, and unanswered disputes climb the ladder on day rollovers.

The chaos run (CHAOS_SEED repeats one) kills every daemon at least twice, each time restarting
it at once on the same simulated day: ingestd with a batch of a push in flight and part of the
push committed (the push must retry by itself and exit 0), timelinessd while it catches up,
any daemon in the middle of a day's push, right after a clock set while the day rollovers run,
or after the day has settled. PostgreSQL is restarted once (`pg_ctl restart -m immediate`)
with a batch in flight. The moments are listed in plan_kills.

Both runs push each day in one batch. Where the chaos run needs a push of many batches to kill
ingestd or PostgreSQL in, it holds timelinessd (SIGSTOP) until the push has finished, so that
the only difference is the kills. CHAOS_CHUNKED=1 (ctest chaos.chunked) lifts that: every day
of the chaos run is pushed one event a batch while timelinessd follows, and a deadline alert's
allocation (the one known when it was raised) is counted apart rather than compared
(docs/testing.md, "Chaos replay").

Compared (docs/testing.md says why each exclusion is one): ingest.event and every projection
table, the dead letters, feed heads and positions, timeliness.deadline, alert_feed (envelopes
decoded), kpi_value, kpi_rating, caseload and state, escalation.dispute, dispute_step (each
hash recomputed here, and B's with A's ids) and dispute_feed, and the board packs reportingd
wrote on schedule. Alert and dispute notice seqs are compared up to the order within a day,
deadline ids through LA, child, clock and anchor, dispute ids through what the dispute is about.

It runs its own PostgreSQL (it restarts it), so it needs no fixture. Exit 0 when B equals A, 1
with the differences, 77 when the daemons are not built. Environment: CHAOS_SEED; CHAOS_KILLS
(at least this many SIGKILLs, default 14; 0 makes B a second clean run); CHAOS_CHUNKED;
CHAOS_KEEP=1 keeps the work directory and the stopped cluster; CHAOS_VERBOSE=1 prints each day.
"""
import collections
import csv
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CLI = os.environ["JOURNEY_CLI"]
SOURCE = os.environ["JOURNEY_SOURCE_DIR"]
SERVICES = os.environ.get("JOURNEY_SERVICES_DIR") or os.path.dirname(os.path.dirname(CLI))
PG = os.path.join(SOURCE, "deploy", "pg")
PG_BIN = os.environ.get("JOURNEY_PG_BIN", "/usr/lib/postgresql/15/bin")

LA = "872"
CHILDREN = 500
GENERATOR_SEED = "41"
END = dt.date(2025, 3, 31)         # the generator's last day
DAILY_FROM = dt.date(2024, 12, 2)  # history before it is pushed in one go on this day
TAIL_DAYS = 30                     # days replayed after the last event: disputes climb to the top
BACKLOG_BATCH = 50                 # events per batch of the backlog push
DAY_BATCH = 2000                   # a day's events go in one batch (fewer than this)
KILL_POINTS = int(os.environ.get("CHAOS_KILLS", "14"))
VERBOSE = bool(os.environ.get("CHAOS_VERBOSE"))
# CHAOS_CHUNKED=1: the chaos run pushes every day one event a batch while timelinessd follows
# (the "any chunking" half of invariant 6; docs/testing.md, "Chaos replay").
CHUNKED = bool(os.environ.get("CHAOS_CHUNKED"))
WAIT_S = 90                        # the longest any one wait may take before the test fails

DAEMONS = {  # name -> (program, the service name Status reports)
    "ingestd": ("ingest/journey-ingestd", "ingest"),
    "timelinessd": ("timeliness/journey-timelinessd", "timeliness"),
    "escalationd": ("escalation/journey-escalationd", "escalation"),
    "reportingd": ("reporting/journey-reportingd", "reporting"),
}

# A deployment file of our own: the default policies and two more, so that a few hundred
# children give disputes enough to climb (docs/escalation.md, "Disputes raised by policy").
DEPLOYMENT = """\
escalation
    policy
        cla_review_overdue
            kind = "overdue_by"
            clock = "cla_review"
            role = "iro"
            category = "reviews"
        cp_review_overdue
            kind = "overdue_by"
            clock = "rcpc"
            role = "cp-chair"
            category = "reviews"
        assessment_overdue
            kind = "overdue_by"
            clock = "assessment"
            role = "iro"
            category = "practice"
        visit_overdue
            kind = "overdue_by"
            clock = "cp_visit"
            role = "cp-chair"
            category = "practice"
"""


class Failure(Exception):
    pass


def log(message):
    print(f"chaos: {message}", flush=True)


def run(args, env=None, check=True, timeout=WAIT_S):
    result = subprocess.run(args, env=env, text=True, capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        raise Failure(f"{' '.join(args)} exited {result.returncode}\n{result.stdout}{result.stderr}")
    return result


# --- PostgreSQL: a cluster of our own -------------------------------------------------------------
class Cluster:
    def __init__(self, work):
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("JOURNEY_DATABASE_", "PG")) and k != "JOURNEY_CONFIG"}
        self.env["JOURNEY_PG_DIR"] = os.path.join(work, "pg")
        self.home = run([PG, "home"], env=self.env).stdout.strip()
        self.admin = run([PG, "url", "postgres"], env=self.env).stdout.strip()

    def url(self, role):
        return run([PG, "url", role], env=self.env).stdout.strip()

    def start(self):
        run([PG, "start"], env=self.env, timeout=120)

    def stop(self, keep=False):
        subprocess.run([PG, "stop"], env=self.env, capture_output=True)
        if not keep:
            shutil.rmtree(self.home, ignore_errors=True)

    def restart_immediate(self):
        """A crash and recovery: every connection is cut, nothing is shut down cleanly."""
        command = [os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(self.home, "data"), "-l",
                   os.path.join(self.home, "log", "postgresql.log"), "-w", "-t", "60",
                   "restart", "-m", "immediate"]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--"] + command
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise Failure(f"pg_ctl restart failed: {result.stderr}")

    def rows(self, db, sql):
        """The rows of a query as lists of text, NULL as None (COPY csv reads multi-line text)."""
        result = subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", f"{self.admin} dbname={db}", "-c",
             f"COPY ({sql}) TO STDOUT (FORMAT csv, NULL '\\N')"],
            text=True, capture_output=True, timeout=WAIT_S)
        if result.returncode != 0:
            raise Failure(f"query on {db} failed: {result.stderr}\n{sql}")
        return [[None if value == "\\N" else value for value in row]
                for row in csv.reader(io.StringIO(result.stdout))]

    def value(self, db, sql):
        """One value, or None when the database does not answer (it may be restarting)."""
        result = subprocess.run(["psql", "-X", "-q", "-tA", f"{self.admin} dbname={db}", "-c", sql],
                                text=True, capture_output=True, timeout=WAIT_S)
        return result.stdout.strip() if result.returncode == 0 else None


# --- The daemons on one database ------------------------------------------------------------------
class Suite:
    def __init__(self, cluster, db, work, config_path):
        self.cluster, self.db = cluster, db
        self.dir = os.path.join(work, db)
        os.makedirs(os.path.join(self.dir, "out"))
        sock = lambda name: f"ipc://{self.dir}/{name}.sock"
        self.env = dict(cluster.env)
        self.env.update({
            "JOURNEY_CONFIG": config_path,
            "JOURNEY_LA_CODE": LA,
            "JOURNEY_INGEST_REQUEST": sock("ingest"),
            "JOURNEY_INGEST_FEED": sock("ingest-feed"),
            "JOURNEY_TIMELINESS_REQUEST": sock("timeliness"),
            "JOURNEY_TIMELINESS_FEED": sock("timeliness-feed"),
            "JOURNEY_TIMELINESS_EVENTS": sock("ingest-feed"),
            "JOURNEY_ESCALATION_REQUEST": sock("escalation"),
            "JOURNEY_ESCALATION_FEED": sock("escalation-feed"),
            "JOURNEY_ESCALATION_ALERTS": sock("timeliness-feed"),
            "JOURNEY_REPORTING_REQUEST": sock("reporting"),
            "JOURNEY_REPORTING_OUT_DIR": os.path.join(self.dir, "out"),
            # A killed ingestd cannot answer: the push notices after this long and resends.
            "JOURNEY_PUSH_REPLY_TIMEOUT_MS": "1000",
            "JOURNEY_PUSH_GIVE_UP_MS": "120000",
            "JOURNEY_DATABASE_ADMIN_URL": f"{cluster.admin} dbname={db}",
        })
        for role in ("ingest", "timeliness", "escalation", "reporting"):
            self.env[f"JOURNEY_DATABASE_{role.upper()}_URL"] = f"{cluster.url('journey_' + role)} dbname={db}"
        self.procs = {}
        self.logs = []
        self.pushes = 0

    def create(self):
        run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.cluster.admin, "-c",
             f"CREATE DATABASE {self.db}"])
        run([CLI, "migrate"], env=self.env)

    def start(self, name, day):
        program = os.path.join(SERVICES, DAEMONS[name][0])
        out = open(os.path.join(self.dir, f"{name}.log"), "a")
        self.logs.append(out)
        self.procs[name] = subprocess.Popen([program, "--simulated-clock", "--date", day.isoformat()],
                                            env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def kill(self, name):
        proc = self.procs.pop(name)
        if proc.poll() is not None:
            raise Failure(f"{name} had exited by itself ({proc.returncode}) before it was killed")
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def stop(self):
        """SIGTERM: every daemon drains and exits 0."""
        for name, proc in list(self.procs.items()):
            proc.terminate()
        for name, proc in list(self.procs.items()):
            try:
                rc = proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise Failure(f"{name} did not stop on SIGTERM")
            del self.procs[name]
            if rc != 0:
                raise Failure(f"{name} exited {rc} on SIGTERM")

    def kill_all(self):
        for proc in self.procs.values():
            proc.kill()
            proc.wait()
        self.procs.clear()
        for out in self.logs:
            out.close()

    def check_alive(self):
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise Failure(f"{name} exited by itself ({proc.returncode}); see {self.dir}/{name}.log")

    def status(self):
        result = run([CLI, "--json", "status"], env=self.env, check=False)
        try:
            return {d.get("service"): d for d in json.loads(result.stdout).get("daemons", [])}
        except ValueError:
            return {}

    def wait_settled(self, day, what, names=tuple(DAEMONS)):
        """Every daemon answers for day (so its rollover has run), healthy, with nothing owed:
        timelinessd at ingest's event head, escalationd at timelinessd's alert head, no board
        pack in reportingd's queue."""
        deadline = time.monotonic() + WAIT_S
        while True:
            self.check_alive()
            daemons = self.status()
            why = self._unsettled(daemons, day, names)
            if not why:
                return
            if time.monotonic() > deadline:
                raise Failure(f"{self.db} {day} {what}: not settled after {WAIT_S} s: {why}\n"
                              f"{json.dumps(daemons, indent=1)}")
            time.sleep(0.01)

    @staticmethod
    def _unsettled(daemons, day, names):
        def feed(service, name, role):
            for entry in daemons.get(service, {}).get("feeds", []):
                if entry.get("feed") == name and entry.get("role") == role:
                    return entry.get("position")
            return None
        for name in names:
            status = daemons.get(DAEMONS[name][1])
            if not status or not status.get("running"):
                return f"{name} not answering"
            if status.get("today") != day.isoformat():
                return f"{name} today {status.get('today')}"
            if not status.get("healthy"):
                return f"{name} unhealthy: {status.get('message') or status.get('error')}"
        if "timelinessd" in names:
            head, position = feed("ingest", "events", "publisher"), feed("timeliness", "events", "subscriber")
            if head is None or position is None or position < head:
                return f"timelinessd at event {position} of {head}"
        if "escalationd" in names:
            head = feed("timeliness", "alerts", "publisher")
            position = feed("escalation", "alerts", "subscriber")
            if head is None or position is None or position < head:
                return f"escalationd at alert {position} of {head}"
        if "reportingd" not in names:
            return None
        # reportingd says what it holds only in its Status message (reporting_server.c).
        message = daemons.get("reporting", {}).get("message", "")
        pending = re.match(r"(\d+) packs queued or being built", message)
        if not pending:
            raise Failure(f"reportingd's Status message does not say how many packs it holds: {message!r}")
        if int(pending[1]):
            return f"reportingd building: {message}"
        return None

    def clock_set(self, day):
        run([CLI, "clock", "set", day.isoformat()], env=self.env)

    def start_push(self, lines, batch, pipe=False):
        """journey push of lines, from a file, or (pipe) from stdin, which the caller writes."""
        self.pushes += 1
        path = os.path.join(self.dir, f"push-{self.pushes}.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        err = open(path + ".err", "w")
        before = self.committed_events()
        proc = subprocess.Popen([CLI, "push", "-" if pipe else path, "--batch", str(batch)], env=self.env,
                                text=True, stdin=subprocess.PIPE if pipe else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=err)
        return proc, path, len(lines), before

    def finish_push(self, push):
        """The push must end by itself, exit 0, and account for every line once."""
        proc, path, count, _ = push
        try:
            out, _ = proc.communicate(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise Failure(f"push {path} did not finish in {WAIT_S} s")
        with open(path + ".err") as f:
            err = f.read()
        if proc.returncode != 0:
            raise Failure(f"push {path} exited {proc.returncode}: {out}{err}")
        match = re.search(r": (\d+) lines, (\d+) accepted, (\d+) duplicate, 0 rejected", out)
        if not match or int(match[1]) != count or int(match[2]) + int(match[3]) != count:
            raise Failure(f"push {path} said: {out}")
        return int(match[3]), err.count("retrying in") + err.count("no answer from")

    def committed_events(self):
        value = self.value("SELECT coalesce(max(seq), 0) FROM ingest.event")
        return int(value) if value else None

    def value(self, sql):
        return self.cluster.value(self.db, sql)


# --- The authority ------------------------------------------------------------------------------------
def generate():
    generated = run([CLI, "generate", "--la", LA, "--children", str(CHILDREN), "--years", "1",
                     "--seed", GENERATOR_SEED, "--end", END.isoformat()]).stdout
    by_day = collections.defaultdict(list)
    for line in generated.splitlines():
        # The generator records in the working day, UTC; the same day in London.
        recorded = dt.date.fromisoformat(json.loads(line)["recorded_at"][:10])
        by_day[max(recorded, DAILY_FROM)].append(line)
    last = max(by_day) + dt.timedelta(days=TAIL_DAYS)
    days = [DAILY_FROM + dt.timedelta(days=n) for n in range((last - DAILY_FROM).days + 1)]
    return by_day, days


# --- The kill plan ------------------------------------------------------------------------------------
# Moments (each a SIGKILL and an immediate restart on the same simulated day):
#   backlog    ingestd in the backlog push: a drawn share of it committed, the next batch sent
#              (Replay.piped_push); the push must send it again by itself and exit 0;
#   catch-up   timelinessd while it catches up from the table: on the backlog day once its
#              first page has committed (or a drawn time after its start, if sooner); on
#              another day, killed before the day's push, restarted after it and killed again
#              a drawn 0-50 ms after that start;
#   push       ingestd the same way as in the backlog, the day's events one to a batch and
#              timelinessd held meanwhile (Replay.held_push); any other daemon a drawn 0-25 ms
#              into the push of the day's events in one batch;
#   rollover   any daemon a drawn 0-15 ms into `journey clock set`: before, in or after its
#              rollover;
#   settled    any daemon once the day's work is done.
# PostgreSQL is restarted once, like ingestd's push moment: in the backlog or in a day's push.
Point = collections.namedtuple("Point", "daemon moment at")  # at: in [0, 1), scales the moment
REQUIRED = [("ingestd", "push"), ("ingestd", "rollover"), ("timelinessd", "rollover"),
            ("timelinessd", "push"), ("timelinessd", "catch-up"), ("escalationd", "rollover"),
            ("escalationd", "rollover"), ("escalationd", "push"), ("escalationd", "settled"),
            ("reportingd", "rollover"), ("reportingd", "push"), ("reportingd", "settled")]
EXTRA = [("ingestd", "push"), ("ingestd", "settled"), ("timelinessd", "rollover"),
         ("timelinessd", "push"), ("escalationd", "rollover"), ("escalationd", "push"),
         ("reportingd", "rollover")]
KILLS = {"catch-up": 2}  # a day's catch-up kills timelinessd twice (before the push and during)


def plan_kills(rng, days, by_day, busy_rollovers):
    """The backlog day's points, then every daemon at least twice and every moment at least
    once over the days, the rest drawn; at most one point a day. busy_rollovers: daemon -> the
    days on which its rollover had work in the clean run."""
    plan = collections.defaultdict(list)
    backlog = days[0]
    plan[backlog] += [Point("ingestd", "backlog", rng.uniform(0.1, 0.9)),
                      Point("timelinessd", "catch-up", rng.uniform(0.1, 1))]
    picks = list(REQUIRED)
    while 2 + sum(KILLS.get(moment, 1) for _, moment in picks) < KILL_POINTS:
        picks.append(rng.choice(EXTRA))
    rng.shuffle(picks)
    pushed = [d for d in days[1:] if len(by_day.get(d, [])) >= 5]  # room to be in the middle of
    used = set()
    for name, moment in picks:
        pool = {"push": pushed, "catch-up": pushed, "rollover": busy_rollovers.get(name)}.get(moment)
        pool = [d for d in pool or days[1:] if d not in used] or [d for d in days[1:] if d not in used]
        day = rng.choice(pool)
        used.add(day)
        plan[day].append(Point(name, moment, rng.random()))
    # PostgreSQL once, in the middle of a push: the backlog's or a day's.
    if rng.random() < 0.5:
        plan[backlog].append(Point("postgres", "backlog", rng.uniform(0.1, 0.9)))
    else:
        plan[rng.choice([d for d in pushed if d not in used])].append(Point("postgres", "push", rng.random()))
    return plan


# --- One replay -----------------------------------------------------------------------------------------
class Replay:
    def __init__(self, suite, days, by_day, plan=None):
        self.suite, self.days, self.by_day = suite, days, by_day
        self.plan = plan or {}
        self.executed = []  # (day, daemon, moment, what was going on)

    def run(self):
        started = time.monotonic()
        self.backlog(self.days[0])
        for day in self.days[1:]:
            self.day(day)
            if VERBOSE:
                log(f"{self.suite.db} {day}: {len(self.by_day.get(day, []))} events")
        # Every dispute chain intact, by journey-escalationd's own check.
        verify = run([CLI, "--json", "dispute", "verify"], env=self.suite.env, check=False)
        try:
            verified = json.loads(verify.stdout)
        except ValueError:
            verified = {}
        if not verified.get("ok"):
            raise Failure(f"{self.suite.db}: journey dispute verify: {verify.stdout}{verify.stderr}")
        self.suite.stop()
        return time.monotonic() - started

    def points(self, day, *moments):
        return sorted((p for p in self.plan.get(day, []) if p.moment in moments), key=lambda p: p.at)

    def kill(self, day, name, moment, note, restart=True, observe=None):
        """SIGKILL (or PostgreSQL's restart); observe() says what the dead daemon had committed,
        before the restart carries on."""
        if name == "postgres":
            self.suite.cluster.restart_immediate()
            what = "PostgreSQL restarted (pg_ctl restart -m immediate)"
        else:
            self.suite.kill(name)
            if observe:
                note += observe()
            if restart:
                self.suite.start(name, day)
            what = f"{name} SIGKILLed"
        self.executed.append([day, name, moment, note])
        log(f"kill point {len(self.executed)}: {day} {what}: {moment}, {note}")

    def backlog(self, day):
        """The history before DAILY_FROM in batches, into ingestd alone; then timelinessd and
        escalationd start and catch up from the tables. (Followed live, a push of many batches
        would give timelinessd a projection that is further on at one flush than another,
        depending on timing: see docs/testing.md.)"""
        suite, lines = self.suite, self.by_day[day]
        for name in ("ingestd", "reportingd"):
            suite.start(name, day)
        suite.wait_settled(day, "start", ("ingestd", "reportingd"))
        self.piped_push(day, lines, BACKLOG_BATCH, self.points(day, "backlog"), "backlog push",
                        f" ({BACKLOG_BATCH} a batch)")

        catch_up = self.points(day, "catch-up")
        suite.start("timelinessd", day)
        if catch_up:
            # Its first start loads, then catches up on the whole backlog a page (1,000 events)
            # a commit: killed once a page has committed, or after a drawn time, if sooner.
            head = suite.committed_events()
            position, started = 0, time.monotonic()
            while position == 0 and time.monotonic() - started < catch_up[0].at * 0.3:
                position = int(suite.value(
                    "SELECT position FROM timeliness.feed_position WHERE feed = 'events'") or 0)
                time.sleep(0.003)
            self.kill(day, "timelinessd", "catch-up", f"catching up on the backlog,"
                      f" {(time.monotonic() - started) * 1000:.0f} ms after its start, committed"
                      f" position {position} of {head}")
        suite.start("escalationd", day)
        suite.wait_settled(day, "after the backlog")

    def day(self, day):
        suite = self.suite
        lines = self.by_day.get(day, [])
        rollover = self.points(day, "rollover")
        if rollover:
            # `journey clock set` takes about 5 ms to start and ask; each daemon's rollover a few
            # ms more. A kill 0-15 ms after it starts finds the daemon before, in or after it (a
            # daemon restarted before it moved its clock starts on the day, and rolls over then).
            setting = subprocess.Popen([CLI, "clock", "set", day.isoformat()], env=suite.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for point in rollover:
                time.sleep(point.at * 0.015)
                self.kill(day, point.daemon, "rollover", f"{point.at * 15:.1f} ms into `journey clock set`",
                          observe=lambda: self.rollover_done(day, point.daemon))
            _, err = setting.communicate(timeout=WAIT_S)
            if setting.returncode != 0:
                raise Failure(f"journey clock set {day} exited {setting.returncode}: {err}")
        else:
            suite.clock_set(day)
        suite.wait_settled(day, "after the clock set")

        catch_up = self.points(day, "catch-up")
        if catch_up:
            self.kill(day, "timelinessd", "catch-up", f"down through the push of {len(lines)} events",
                      restart=False)
        if lines:
            points = self.points(day, "push")
            if CHUNKED and self.plan:
                self.piped_push(day, lines, 1, points, "push", " (one a batch, CHAOS_CHUNKED)")
            elif any(p.daemon in ("ingestd", "postgres") for p in points):
                self.held_push(day, lines, points)
            else:
                self.timed_push(day, lines, points)
        if catch_up:
            suite.start("timelinessd", day)
            self.catch_up_kill(day, catch_up[0].at * 0.05)  # while it loads and catches up
        suite.wait_settled(day, "after the push")

        for point in self.points(day, "settled"):
            self.kill(day, point.daemon, "settled", "the day's work done")
            suite.wait_settled(day, "after a restart")

    def timed_push(self, day, lines, points):
        """The day's events in one batch, as in the clean run; a kill a drawn moment into it."""
        push = self.suite.start_push(lines, DAY_BATCH)
        first = len(self.executed)
        for point in points:
            # A day's push takes 20-150 ms here, most of it the batch with ingestd.
            time.sleep(point.at * 0.025)
            running = push[0].poll() is None
            self.kill(day, point.daemon, "push", f"{point.at * 25:.0f} ms into the push of {len(lines)}"
                      f" events ({'running' if running else 'it had finished'})")
        self.finish_push(push, first)

    def held_push(self, day, lines, points):
        """ingestd or PostgreSQL killed in a day's push, one event a batch. timelinessd is held
        (SIGSTOP) until the push has finished, so that it meets the whole day at once as in the
        clean run and the kills are the only difference (chaos.chunked tests batching)."""
        held = self.suite.procs["timelinessd"]
        held.send_signal(signal.SIGSTOP)
        try:
            self.piped_push(day, lines, 1, points, "push", " (one a batch; timelinessd held meanwhile)")
        finally:
            held.send_signal(signal.SIGCONT)

    def piped_push(self, day, lines, batch, points, moment, how):
        """A push reading from a pipe, so that a kill lands with a batch in flight: once a drawn
        number of whole batches has committed, the next batch goes in and the kill follows."""
        push = self.suite.start_push(lines, batch, pipe=True)
        proc, before, sent = push[0], push[3], 0
        first = len(self.executed)
        batches = (len(lines) + batch - 1) // batch
        for point in points:
            target = max(sent, min(len(lines), batch * max(1, min(batches - 1, int(batches * point.at)))))
            proc.stdin.write("".join(line + "\n" for line in lines[sent:target]))
            proc.stdin.flush()
            sent = target
            done = self.wait_committed(push, target)
            proc.stdin.write("".join(line + "\n" for line in lines[sent:sent + batch]))
            proc.stdin.flush()
            sent += batch
            time.sleep(point.at * 1000 % 1 * 0.005)  # 0-5 ms: the batch read, sent, or with the daemon
            self.kill(day, point.daemon, moment, f"{done} of {len(lines)} events committed, the next batch"
                      f" sent{how}", observe=lambda: f"; {self.suite.committed_events() - before} committed"
                      " at the kill")
        proc.stdin.write("".join(line + "\n" for line in lines[sent:]))
        proc.stdin.close()
        proc.stdin = None  # communicate() must not flush it
        self.finish_push(push, first)

    def rollover_done(self, day, name):
        """What a daemon killed at the rollover had committed of it."""
        if name == "timelinessd":
            swept = self.suite.value("SELECT value FROM timeliness.state WHERE key = 'last_evaluated_day'")
            return f" (its sweep of the day {'had' if swept == day.isoformat() else 'had not'} committed)"
        if name == "escalationd":
            steps = self.suite.value("SELECT count(*) FROM escalation.dispute_step"
                                     f" WHERE (at AT TIME ZONE 'Europe/London')::date = '{day}'")
            return f" ({steps} dispute steps of the day committed)"
        return ""

    def finish_push(self, push, first):
        """The push ends by itself; what it said goes to the kill points made during it."""
        duplicates, retries = self.suite.finish_push(push)
        for point in self.executed[first:]:
            point[3] += f"; the push finished by itself, exit 0 ({duplicates} duplicate, {retries} retries)"

    def catch_up_kill(self, day, delay):
        time.sleep(delay)
        head = self.suite.committed_events()
        position = lambda: (", its committed position " + (self.suite.value(
            "SELECT position FROM timeliness.feed_position WHERE feed = 'events'") or "0") + f" of {head}")
        self.kill(day, "timelinessd", "catch-up", f"{delay * 1000:.0f} ms after its start", observe=position)

    def wait_committed(self, push, count):
        """Until count events of the push have committed; how many had."""
        proc = push[0]
        before = push[3]
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            committed = self.suite.committed_events()
            if committed is not None and committed - before >= count:
                return committed - before
            if proc.poll() is not None:
                return f"all {push[2]} (the push had finished)"
            time.sleep(0.003)
        raise Failure(f"no progress in the push within {WAIT_S} s")


# --- What is compared -------------------------------------------------------------------------------------
def varint(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def protobuf_fields(data):
    """A protobuf message as {field number: [values]}: ints for varints, bytes for
    length-delimited fields (strings, messages), hex text for fixed-size ones."""
    fields, at = collections.defaultdict(list), 0
    while at < len(data):
        key, at = varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = varint(data, at)
        elif wire == 2:
            length, at = varint(data, at)
            value, at = data[at:at + length], at + length
        elif wire in (1, 5):  # fixed64 / fixed32 (a double): compared as their bytes
            size = 8 if wire == 1 else 4
            value, at = "0x" + data[at:at + size].hex(), at + size
        else:
            raise ValueError(f"wire type {wire}")
        fields[number].append(value)
    return fields


def readable(fields, names):
    """Decoded fields by name (proto/journey/v1), strings as text."""
    return {names.get(n, str(n)): [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in values]
            for n, values in sorted(fields.items())}


ENVELOPE_FIELDS = {1: "message_id", 2: "schema_version", 3: "feed_seq", 4: "sent_at_ms"}
ALERT_FIELDS = dict(enumerate(
    ("alert_id kind la_code child_id clock started_on due_on planned_on team_id worker_id raised_on"
     " overdue_working_days deadline_id measure rating previous_rating value scope caseload").split(), 1))
NOTICE_FIELDS = dict(enumerate(
    "dispute_id la_code child_id what stage must_act_role due_on by_user on step_n step_hash safety".split(), 1))


ENVELOPE_FEED_SEQ, ENVELOPE_ALERT, ENVELOPE_NOTICE = 3, 13, 16
ALERT_ID, ALERT_DEADLINE_ID = 1, 13
NOTICE_DISPUTE_ID, NOTICE_STEP_N, NOTICE_STEP_HASH = 1, 10, 11
ZERO_HASH = "0" * 64


def step_hash(la_code, dispute_id, step):
    """docs/escalation.md, "The hash": SHA-256 over each field's length, ':', bytes, newline."""
    digest = hashlib.sha256()
    for field in ("journey.dispute_step.v1", la_code, str(dispute_id), str(step["n"]), step["verb"],
                  step["by_user"], step["role"], step["at_text"], str(step["stage_from"]),
                  str(step["stage_to"]), step["text"], step["detail"], step["prev_hash"]):
        raw = field.encode()
        digest.update(f"{len(raw)}:".encode() + raw + b"\n")
    return digest.hexdigest()


class Snapshot:
    """One database's state, with the identifiers the daemons assign in processing order
    replaced by what they identify. tables: name -> sorted list of canonical JSON rows."""

    def __init__(self, cluster, db):
        self.cluster, self.db = cluster, db
        self.tables = {}
        self.problems = []  # what is wrong within this database alone
        self.raw = {}

    def rows(self, table, order="1"):
        return [json.loads(r[0]) for r in self.cluster.rows(
            self.db, f"SELECT to_jsonb(t)::text FROM {table} t ORDER BY {order}")]

    def put(self, table, rows):
        self.tables[table] = sorted(json.dumps(r, sort_keys=True) for r in rows)

    def dense(self, table, values):
        values = sorted(values)
        if values != list(range(1, len(values) + 1)):
            self.problems.append(f"{table}: not 1..{len(values)} without gaps: {values[:5]}...")

    def take(self):
        q = lambda sql: self.cluster.rows(self.db, sql)
        # --- ingest: the events (all but committed_at, the commit's wall-clock time), by seq.
        events = self.rows("ingest.event", "t.seq")
        self.dense("ingest.event seq", [e["seq"] for e in events])
        for e in events:
            del e["committed_at"]
        self.put("ingest.event", events)
        letters = self.rows("ingest.dead_letter")
        for letter in letters:  # bigserial, now(), and the push's random batch id
            for column in ("id", "received_at", "batch_id"):
                letter.pop(column)
        self.put("ingest.dead_letter", letters)
        for (table,) in q("SELECT table_name FROM information_schema.tables WHERE table_schema = 'ingest'"
                          " AND table_type = 'BASE TABLE' AND table_name NOT IN"
                          " ('event', 'dead_letter', 'feed_head', 'feed_position') ORDER BY 1"):
            self.put(f"ingest.{table}", self.rows(f"ingest.{table}"))
        for schema in ("ingest", "timeliness", "escalation"):
            self.put(f"{schema}.feed_head", self.rows(f"{schema}.feed_head"))
            self.put(f"{schema}.feed_position", self.rows(f"{schema}.feed_position"))

        # --- timeliness: deadlines, every column, the id as what it names (la, child, clock,
        # anchor): ids are taken in the order deadlines are first seen, which the batching of
        # a day's events changes.
        deadlines = self.rows("timeliness.deadline")
        self.dense("timeliness.deadline id", [d["id"] for d in deadlines])
        deadline_key = {d["id"]: f"{d['la_code']}/{d['child_id']}/{d['clock']}/{d['anchor']}"
                        for d in deadlines}
        self.raw["deadline key"] = deadline_key
        for d in deadlines:
            d["id"] = deadline_key[d["id"]]
        self.put("timeliness.deadline", deadlines)

        # Alerts: seq (and alert_id, the same number) only up to the order within a day; the
        # rest as it is, the envelope decoded.
        alerts = self.rows("timeliness.alert_feed", "t.seq")
        self.dense("timeliness.alert_feed seq", [a["seq"] for a in alerts])
        alert_key, raised_on = {}, {}
        for a in alerts:
            deadline = deadline_key.get(a["deadline_id"]) if a["deadline_id"] is not None else None
            if a["deadline_id"] is not None and deadline is None:
                self.problems.append(f"alert {a['seq']}: deadline {a['deadline_id']} does not exist")
            envelope = protobuf_fields(bytes.fromhex(a.pop("envelope")[2:]))
            if envelope.pop(ENVELOPE_FEED_SEQ, None) != [a["seq"]]:
                self.problems.append(f"alert {a['seq']}: the envelope's feed_seq is not its seq")
            body = protobuf_fields(envelope.pop(ENVELOPE_ALERT, [b""])[0])
            if body.pop(ALERT_ID, None) != [a["seq"]]:
                self.problems.append(f"alert {a['seq']}: alert_id is not its seq")
            if body.get(ALERT_DEADLINE_ID, [None])[0] != a["deadline_id"]:
                self.problems.append(f"alert {a['seq']}: the envelope names another deadline")
            a["envelope"] = {"envelope": readable(envelope, ENVELOPE_FIELDS),
                             "alert": readable(body, ALERT_FIELDS)}
            if deadline:
                a["deadline_id"] = a["envelope"]["alert"]["deadline_id"] = deadline
            if CHUNKED and deadline:
                # An alert carries the allocation known when it was raised: one raised in a
                # day's push before that day's allocation event arrived has the earlier one
                # (docs/testing.md, "Chaos replay"). Counted apart, not compared.
                allocation = (a.pop("team_id"), a.pop("worker_id"))
                a["envelope"]["alert"].pop("team_id", None)
                a["envelope"]["alert"].pop("worker_id", None)
                self.raw.setdefault("alert allocation", {})[f"{deadline} {a['kind']}"] = allocation
            seq = a["seq"]
            alert_key[seq] = (f"{deadline} {a['kind']}" if deadline else
                              f"{a['kind']} {a['measure']} {a['scope']} {a['worker_id']} {a['raised_on']}")
            raised_on[alert_key[seq]] = a["raised_on"]
        self.raw["alert key"] = alert_key
        self.day_ranges("timeliness.alert_feed", alerts, lambda a: a["raised_on"])
        self.put("timeliness.alert_feed", alerts)
        for table in ("timeliness.kpi_value", "timeliness.kpi_rating", "timeliness.caseload",
                      "timeliness.state"):
            self.put(table, self.rows(table))

        # --- escalation: a dispute by what it is about (ids are taken in the order alerts were
        # met, and an identity column skips values after a crash).
        disputes = self.rows("escalation.dispute", "t.id")
        dispute_key = {}
        for d in disputes:
            deadline = deadline_key.get(d["deadline_id"], "-")
            d["deadline_id"] = deadline
            key = f"{d['la_code']}/{d['child_id']} {deadline} {d['raised_on']} {d['raised_by']}"
            if key in dispute_key.values():
                key += f" #{list(dispute_key.values()).count(key) + 1}"
            dispute_key[d["id"]] = key
            if d["alert_seq"] is not None:
                alert = alert_key.get(d["alert_seq"])
                if alert is None:
                    self.problems.append(f"dispute {d['id']}: alert {d['alert_seq']} does not exist")
                    alert = f"no alert {d['alert_seq']}"
                elif raised_on[alert] != d["raised_on"]:
                    self.problems.append(f"dispute {d['id']} ({key}) raised on {d['raised_on']},"
                                         f" its alert on {raised_on[alert]}")
                d["alert_seq"] = alert
        self.raw["dispute key"] = dispute_key
        self.raw["alert name"] = {str(k): v for k, v in alert_key.items()}

        # Steps: every column; dispute_id as its dispute's key, the alert seqs a policy's raise
        # quotes as the alert's; hash and prev_hash recomputed here (and, in compare, B's with
        # A's ids), so that they are checked rather than compared.
        steps = self.cluster.rows(self.db, (
            "SELECT to_jsonb(t)::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
            " FROM escalation.dispute_step t ORDER BY dispute_id, n"))
        heads, stored_hash = {}, {}
        chains = collections.defaultdict(list)
        for text, at_text in steps:
            step = json.loads(text)
            step["at_text"] = at_text
            chains[step["dispute_id"]].append(step)
        normal_steps = []
        self.raw["steps"] = {}
        for dispute_id, chain in chains.items():
            prev = ZERO_HASH
            for n, step in enumerate(chain, 1):
                if (step["n"] != n or step["prev_hash"] != prev or
                        step_hash(step["la_code"], dispute_id, step) != step["hash"]):
                    self.problems.append(f"dispute {dispute_id} step {step['n']}: the chain does not hold")
                prev = step["hash"]
                stored_hash[(dispute_id, step["n"])] = step["hash"]
            heads[dispute_id] = (len(chain), prev)
            key = dispute_key.get(dispute_id, f"missing dispute {dispute_id}")
            self.raw["steps"][key] = chain
            for step in chain:
                row = {k: v for k, v in step.items() if k not in ("hash", "prev_hash", "at_text")}
                row["dispute_id"] = key
                row["detail"] = self.named(step["detail"], self.raw["alert name"], deadline_key)
                row["text"] = self.named(step["text"], self.raw["alert name"])
                normal_steps.append(row)
        for d in disputes:
            if heads.get(d["id"]) != (d["step_count"], d["last_hash"]):
                self.problems.append(f"dispute {d['id']}: step_count and last_hash are not its chain's head")
            d["last_hash"] = "its last step's (checked)"
            d["id"] = dispute_key[d["id"]]
        self.put("escalation.dispute", disputes)
        self.put("escalation.dispute_step", normal_steps)

        # Notices: seq up to the order within a day, dispute_id as its key (and the order of
        # each dispute's notices kept), the envelope decoded, step_hash checked.
        notices = self.rows("escalation.dispute_feed", "t.seq")
        self.dense("escalation.dispute_feed seq", [n["seq"] for n in notices])
        ordinal = collections.Counter()
        for notice in notices:
            envelope = protobuf_fields(bytes.fromhex(notice.pop("envelope")[2:]))
            seq = notice["seq"]
            if envelope.pop(ENVELOPE_FEED_SEQ, None) != [seq]:
                self.problems.append(f"dispute notice {seq}: the envelope's feed_seq is not its seq")
            body = protobuf_fields(envelope.pop(ENVELOPE_NOTICE, [b""])[0])
            if body.pop(NOTICE_DISPUTE_ID, None) != [notice["dispute_id"]]:
                self.problems.append(f"dispute notice {seq}: the envelope names another dispute")
            hashes = body.pop(NOTICE_STEP_HASH, None)
            if hashes and hashes[0].decode() != stored_hash.get((notice["dispute_id"], body[NOTICE_STEP_N][0])):
                self.problems.append(f"dispute notice {seq}: step_hash is not the step's hash")
            notice["dispute_id"] = dispute_key.get(notice["dispute_id"])
            ordinal[notice["dispute_id"]] += 1
            notice["nth_of_dispute"] = ordinal[notice["dispute_id"]]
            notice["envelope"] = {"envelope": readable(envelope, ENVELOPE_FIELDS),
                                  "notice": readable(body, NOTICE_FIELDS)}
        self.day_ranges("escalation.dispute_feed", notices, lambda n: n["envelope"]["notice"]["on"][0])
        self.put("escalation.dispute_feed", notices)
        return self

    def day_ranges(self, table, rows, day_of):
        """A daemon numbers a day's alerts or notices in the order it meets them, which a
        restart changes (timelinessd loads its book in id order, escalationd meets alerts in seq
        order), so seq is compared as the run of seqs each day holds, a table of its own; every
        day's run must follow the day before's."""
        by_day = collections.defaultdict(list)
        for row in rows:
            by_day[day_of(row)].append(row.pop("seq"))
        previous, runs = 0, []
        for day in sorted(by_day):
            seqs = sorted(by_day[day])
            if seqs != list(range(previous + 1, previous + len(seqs) + 1)):
                self.problems.append(f"{table}: the seqs of {day} do not follow the day before's")
            previous = seqs[-1]
            runs.append({"day": day, "seqs": f"{seqs[0]}..{seqs[-1]}", "count": len(seqs)})
        self.put(f"{table} seqs by day", runs)

    @staticmethod
    def named(text, alert, deadline=None):
        """A step's text or detail with the alert seqs it quotes (a policy's raise: the detail
        line alert_seq=, "(alert N)" in its text) replaced through the map alert (text -> text),
        and the detail line deadline_id= through the map deadline (id -> text) when given."""
        text = re.sub(r"^alert_seq=(.+)$", lambda m: f"alert_seq={alert.get(m[1], m[1])}", text, flags=re.M)
        if deadline:
            text = re.sub(r"^deadline_id=(\d+)$",
                          lambda m: f"deadline_id={deadline.get(int(m[1]), m[1])}", text, flags=re.M)
        return re.sub(r"\(alert ([^)]+)\)", lambda m: f"(alert {alert.get(m[1], m[1])})", text)

def packs(directory):
    """The board packs reportingd wrote on schedule: file name -> SHA-256 of the content."""
    found = {}
    for root, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                path = os.path.relpath(os.path.join(root, name), directory)
                found[path] = hashlib.sha256(f.read()).hexdigest()
    return found


def show_pack_differences(dir_a, dir_b, packs_a, packs_b):
    """Where two packs of the same name differ: the JSON values that are not equal, so that a
    failing seed says which figure moved without the run being kept."""
    def leaves(value, path=""):
        if isinstance(value, dict):
            for key, item in value.items():
                yield from leaves(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from leaves(item, f"{path}[{index}]")
        else:
            yield path, value
    for name in sorted(set(packs_a) & set(packs_b)):
        if not name.endswith(".json") or packs_a[name] == packs_b[name]:
            continue
        with open(os.path.join(dir_a, name)) as fa, open(os.path.join(dir_b, name)) as fb:
            a, b = dict(leaves(json.load(fa))), dict(leaves(json.load(fb)))
        moved = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k) and "generated" not in k]
        print(f"\n{name}: {len(moved)} values differ")
        for key in moved[:20]:
            print(f"  {key}: A {a.get(key)!r}  B {b.get(key)!r}")


def compare(a, b):
    """(rows per table, differences, identifiers assigned otherwise): B against A."""
    counts, differences = [], []
    for table in sorted(set(a.tables) | set(b.tables)):
        rows_a, rows_b = a.tables.get(table, []), b.tables.get(table, [])
        counts.append((table, len(rows_a), len(rows_b)))
        if rows_a != rows_b:
            only_a = collections.Counter(rows_a) - collections.Counter(rows_b)
            only_b = collections.Counter(rows_b) - collections.Counter(rows_a)
            differences.append((table, sorted(only_a.elements()), sorted(only_b.elements())))
    # The hashes themselves: each of B's steps, given A's dispute id (and A's alert seqs where
    # it quotes one), hashes to A's step's hash.
    a_ids = {key: id_ for id_, key in a.raw["dispute key"].items()}
    a_alert = {key: str(seq) for seq, key in a.raw["alert key"].items()}
    a_deadline = {key: id_ for id_, key in a.raw["deadline key"].items()}
    b_to_a_deadline = {id_: a_deadline.get(key, id_) for id_, key in b.raw["deadline key"].items()}
    # B's step as A would have written it: A's seq for the alert its raise quotes, A's id for
    # the deadline.
    a_named = lambda text: Snapshot.named(Snapshot.named(text, b.raw["alert name"], b_to_a_deadline),
                                          a_alert)
    wrong = []
    for key, chain_b in b.raw["steps"].items():
        chain_a = a.raw["steps"].get(key)
        if key not in a_ids or not chain_a or len(chain_a) != len(chain_b):
            continue  # already a difference in escalation.dispute_step
        prev = ZERO_HASH
        for step_b, step_a in zip(chain_b, chain_a):
            detail, text = a_named(step_b["detail"]), a_named(step_b["text"])
            prev = step_hash(step_b["la_code"], a_ids[key],
                             dict(step_b, detail=detail, text=text, prev_hash=prev))
            if prev != step_a["hash"]:
                wrong.append(json.dumps({"dispute": key, "step": step_b["n"], "B with A's ids": prev,
                                         "A": step_a["hash"]}))
                break
    counts.append(("dispute step hashes (B's with A's ids)", len(a.raw["steps"]), len(b.raw["steps"])))
    if wrong:
        differences.append(("dispute step hashes (B's with A's ids)", wrong, []))
    if CHUNKED:
        allocation_a, allocation_b = a.raw.get("alert allocation", {}), b.raw.get("alert allocation", {})
        moved = sorted(k for k in allocation_b if k in allocation_a and allocation_a[k] != allocation_b[k])
        print(f"NOTE: {len(moved)} of {len(allocation_b)} deadline alerts carry another allocation in B"
              f" (raised in a day's push before that day's allocation event): {', '.join(moved[:5])}"
              f"{' ...' if len(moved) > 5 else ''}")
    # How many identifiers B assigned otherwise than A: why they are matched by what they name.
    renumbered = []
    for what in ("deadline key", "alert key", "dispute key"):
        same = sum(1 for id_, key in b.raw[what].items() if a.raw[what].get(id_) == key)
        renumbered.append((what.split()[0], len(b.raw[what]) - same, len(b.raw[what])))
    return counts, differences, renumbered


def busy_rollovers(cluster, db, days):
    """The days on which each daemon's rollover had work in the clean run."""
    dates = lambda sql: sorted({dt.date.fromisoformat(r[0]) for r in cluster.rows(db, sql)} & set(days[1:]))
    return {
        "timelinessd": dates("SELECT raised_on FROM timeliness.alert_feed WHERE kind IN"
                             " ('overdue', 'overdue_by', 'due_today', 'rag_changed', 'caseload')"
                             " GROUP BY 1 HAVING count(*) >= 2"),
        "escalationd": dates("SELECT DISTINCT (at AT TIME ZONE 'Europe/London')::date"
                             " FROM escalation.dispute_step"),
        "reportingd": [d for d in days[1:] if d.day == 1],
    }


def main():
    for program, _ in DAEMONS.values():
        if not os.access(os.path.join(SERVICES, program), os.X_OK):
            print(f"chaos: {program} not built")
            return 77
    seed = int(os.environ.get("CHAOS_SEED") or random.SystemRandom().randrange(1, 1 << 31))
    log(f"seed {seed} (CHAOS_SEED={seed} repeats this schedule)")
    work = tempfile.mkdtemp(prefix="journey-chaos-")
    config = os.path.join(work, "chaos.cfg")
    with open(config, "w") as f:
        f.write(DEPLOYMENT)
    cluster = Cluster(work)
    suites = []
    began = time.monotonic()
    try:
        cluster.start()
        by_day, days = generate()
        log(f"{sum(map(len, by_day.values()))} events for {CHILDREN} children: {len(by_day[days[0]])}"
            f" pushed on {days[0]}, then {len(days) - 1} days to {days[-1]} one by one")

        clean = Suite(cluster, "clean", work, config)
        suites.append(clean)
        clean.create()
        clean_seconds = Replay(clean, days, by_day).run()
        log(f"clean run into database clean (A): {clean_seconds:.1f} s")
        a = Snapshot(cluster, "clean").take()

        rng = random.Random(seed)
        # CHAOS_KILLS=0: a second clean run, to see that the replay itself is deterministic.
        plan = {}
        if KILL_POINTS:
            plan = plan_kills(rng, days, by_day, busy_rollovers(cluster, "clean", days))
        chaos = Suite(cluster, "chaos", work, config)
        suites.append(chaos)
        chaos.create()
        replay = Replay(chaos, days, by_day, plan)
        chaos_seconds = replay.run()
        log(f"chaos run into database chaos (B): {chaos_seconds:.1f} s")
        b = Snapshot(cluster, "chaos").take()

        counts, differences, renumbered = compare(a, b)
        packs_a, packs_b = packs(os.path.join(clean.dir, "out")), packs(os.path.join(chaos.dir, "out"))
        counts.append(("board pack files written on schedule", len(packs_a), len(packs_b)))
        if packs_a != packs_b:
            differences.append(("board pack files written on schedule",
                                [f"{k} {v}" for k, v in sorted(packs_a.items()) if packs_b.get(k) != v],
                                [f"{k} {v}" for k, v in sorted(packs_b.items()) if packs_a.get(k) != v]))

        print("\nkill points executed:")
        for n, (day, name, moment, note) in enumerate(replay.executed, 1):
            print(f"  {n:2}. {day}  {name:12} {moment:12} {note}")
        killed = [e for e in replay.executed if e[1] != "postgres"]
        print(f"\n{'table':42} {'A rows':>8} {'B rows':>8}")
        for table, rows_a, rows_b in counts:
            mark = "   <-- differs" if any(d[0] == table for d in differences) else ""
            print(f"  {table:40} {rows_a:8} {rows_b:8}{mark}")
        print("\nidentifiers the chaos run assigned otherwise (matched by what they name instead):")
        for what, moved, total in renumbered:
            print(f"  {what} ids: {moved} of {total}")
        problems = [f"A: {p}" for p in a.problems] + [f"B: {p}" for p in b.problems]
        restarts = len(replay.executed) - len(killed)
        if KILL_POINTS and (len(killed) < 10 or {e[1] for e in killed} != set(DAEMONS) or restarts != 1):
            problems.append(f"the plan did not run: {len(killed)} kills over {sorted({e[1] for e in killed})},"
                            f" {restarts} PostgreSQL restarts")
        disputes = len(a.tables["escalation.dispute"])
        climbs = sum(1 for row in a.tables["escalation.dispute_step"] if '"auto-escalate"' in row)
        if disputes < 5 or climbs < 5:
            problems.append(f"the clean run raised {disputes} disputes with {climbs} climbs:"
                            " too few to prove anything")
        for problem in problems:
            print(f"FAIL: {problem}")
        for table, only_a, only_b in differences:
            print(f"\nFAIL: {table} differs: {len(only_a)} rows only in A (clean),"
                  f" {len(only_b)} only in B (chaos)")
            for row in only_a[:10]:
                print(f"  A only: {row}")
            for row in only_b[:10]:
                print(f"  B only: {row}")
        if packs_a != packs_b:
            show_pack_differences(os.path.join(clean.dir, "out"), os.path.join(chaos.dir, "out"),
                                  packs_a, packs_b)
        total = time.monotonic() - began
        if problems or differences:
            print(f"chaos: FAIL (seed {seed}; {total:.0f} s; CHAOS_SEED={seed} repeats it,"
                  " CHAOS_KEEP=1 keeps the databases and logs)")
            return 1
        print(f"\nchaos: passed: {len(killed)} kills and {restarts} PostgreSQL restart, B equals A in"
              f" {len(counts)} comparisons (seed {seed}; clean {clean_seconds:.0f} s, chaos"
              f" {chaos_seconds:.0f} s, {total:.0f} s in all)")
        return 0
    except Failure as failure:
        print(f"chaos: FAIL (seed {seed}): {failure}")
        for suite in suites:
            for name in DAEMONS:
                path = os.path.join(suite.dir, f"{name}.log")
                if os.path.exists(path):
                    with open(path) as f:
                        tail = f.readlines()[-8:]
                    print(f"--- {path}\n{''.join(tail)}", end="")
        return 1
    finally:
        for suite in suites:
            suite.kill_all()
        keep = bool(os.environ.get("CHAOS_KEEP"))
        cluster.stop(keep)
        if keep:
            print(f"chaos: kept {work} and the stopped cluster in {cluster.home}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
