#!/usr/bin/env bash
# journey generate: deterministic for a seed, one JSON object per line with exactly one payload,
# proportions broadly national, causally valid (the checks an ingest validator makes), bad
# arguments refused with exit 2 naming the argument.
set -euo pipefail
cli=${JOURNEY_CLI:?JOURNEY_CLI is not set: run under ctest}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail () { echo "FAIL: $*"; exit 1; }

# --- Deterministic: same arguments, same bytes; another seed, other bytes -------------------
args=(--la 872 --children 2000 --years 2 --seed 7 --end 2024-12-31)
"$cli" generate "${args[@]}" >"$tmp/a.jsonl" 2>"$tmp/a.err"
"$cli" generate "${args[@]}" --out "$tmp/b.jsonl" 2>/dev/null
cmp "$tmp/a.jsonl" "$tmp/b.jsonl" || fail "same seed gave different output (stdout vs --out)"
"$cli" generate --la 872 --children 2000 --years 2 --seed 8 --end 2024-12-31 >"$tmp/c.jsonl" 2>/dev/null
cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl" && fail "seeds 7 and 8 gave the same output"
lines=$(wc -l <"$tmp/a.jsonl")
grep -q "^generated $lines events for 2000 children over 2 years (la 872, seed 7)$" "$tmp/a.err" ||
    fail "summary on stderr: $(cat "$tmp/a.err"), expected $lines events"

# --- Shape, proportions and causality ------------------------------------------------------
python3 - "$tmp/a.jsonl" 2024-12-31 <<'PY'
import collections, datetime, json, re, sys

path, end = sys.argv[1], sys.argv[2]
PAYLOADS = """child_registered contact_received contact_decided referral_received referral_closed
assessment_started assessment_completed strategy_discussion s47_completed conference_scheduled
icpc_held cp_plan_started cp_plan_ended rcpc_held core_group_held cin_plan_started
cin_plan_reviewed cin_plan_ended child_visited period_of_care_started period_of_care_ended
placement_started placement_ended legal_status_changed cla_review_held health_assessment
pep_completed missing_started missing_ended return_interview adm_decision placement_order
adoption_match placed_for_adoption adoption_order care_leaver_contact pathway_plan_reviewed
worker_allocated worker_unallocated case_audit_completed case_closed retraction""".split()
COMMON = {"event_id", "la_code", "child_id", "occurred_on", "recorded_at", "source",
          "worker_id", "team_id", "supersedes"}
# Which payload introduces each id, and which refer to it.
INTRODUCES = {"contact_received": "contact_id", "referral_received": "referral_id",
              "assessment_started": "assessment_id", "strategy_discussion": "s47_id",
              "conference_scheduled": "conference_id", "cp_plan_started": "plan_id",
              "cin_plan_started": "plan_id", "period_of_care_started": "period_id",
              "placement_started": "placement_id", "missing_started": "episode_id"}
REFS = ("contact_id", "referral_id", "assessment_id", "s47_id", "conference_id", "plan_id",
        "period_id", "placement_id", "episode_id", "cancels")
CODES = {  # field -> allowed (jy_codes lists)
    "sex": set("M F U".split()),
    "ethnicity": set("""WBRI WIRI WIRT WOTH WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB
                        BAFR BOTH CHNE OOTH REFU NOBT""".split()),
    "legal_status": set("C1 C2 D1 E1 J1 J2 J3 L1 L2 L3 V2 V3 V4".split()),
    "placement_type": set("""A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2
                             U3 U4 U5 U6 Z1""".split()),
    "reason_ceased": set("""E11 E12 E13 E14 E15 E16 E17 E2 E3 E41 E45 E46 E47 E48 E4A E4B E5 E6
                            E7 E8 E9 X1""".split()),
    "category_of_need": set("N1 N2 N3 N4 N5 N6 N7 N8".split()),
    "category": set("NEG PHY SAB EMO MUL".split()),
    "contact_source": set("1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10".split()),
    "activity": set("F1 P1 F2 P2 F4 P4 F5 P5 G4 G5 G6 0".split()),
    "grade": set("outstanding good requires_improvement inadequate".split()),
    "context": set("cp cin cla care_leaver".split()),
}
CODES["referral_source"] = CODES["contact_source"]
PLACEMENT_CHANGE = set("CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER".split())
CIN_CLOSURE = set("RC1 RC2 RC3 RC4 RC5 RC6 RC7 RC8 RC9".split())

errors = []
def bad(n, msg):
    if len(errors) < 20:
        errors.append(f"line {n}: {msg}")

counts = collections.Counter()
introduced = set()            # (kind-of-id, id)
ids_seen = set()
registered = {}               # child -> (dob or None, unborn)
closed = set()                # children whose case is closed and not yet reopened
open_cp = {}                  # child -> plan id
cp_plans, cin_plans = set(), set()
open_periods = set()
s47_started = set()
plan_start = {}
previous_key = None
event_ids = set()
rx_date = re.compile(r"^\d{4}-\d{2}-\d{2}$")
rx_ts = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

with open(path) as f:
    for n, text in enumerate(f, 1):
        try:
            e = json.loads(text)
        except ValueError as x:
            bad(n, f"not JSON: {x}")
            continue
        payloads = [k for k in e if k not in COMMON]
        if len(payloads) != 1 or payloads[0] not in PAYLOADS:
            bad(n, f"payload keys {payloads}")
            continue
        kind = payloads[0]
        p = e[kind]
        counts[kind] += 1
        for k in ("event_id", "la_code", "child_id", "occurred_on", "recorded_at", "source"):
            if k not in e:
                bad(n, f"missing {k}")
        if e["la_code"] != "872" or e["source"] != "generator":
            bad(n, "la_code/source")
        if e["event_id"] in event_ids:
            bad(n, f"duplicate event_id {e['event_id']}")
        event_ids.add(e["event_id"])
        on, rec = e["occurred_on"], e["recorded_at"]
        if not rx_date.match(on) or not rx_ts.match(rec):
            bad(n, f"date formats {on} {rec}")
        if on > end:
            bad(n, f"occurred_on {on} after --end {end}")
        if rec[:10] < on:
            bad(n, f"recorded_at {rec} before occurred_on {on}")
        if rec[:10] > end:
            bad(n, f"recorded_at {rec} after --end {end}")
        key = (on, rec)
        if previous_key and key < previous_key:
            bad(n, f"not sorted by occurred_on, recorded_at: {key} after {previous_key}")
        previous_key = key
        child = e["child_id"]

        # Codes
        for field, allowed in CODES.items():
            if field in p and p[field] not in allowed:
                bad(n, f"{kind}.{field} = {p[field]!r} not a known code")
        if kind == "placement_ended" and p.get("reason") not in PLACEMENT_CHANGE:
            bad(n, f"placement_ended reason {p.get('reason')}")
        if kind in ("case_closed", "referral_closed") and p.get("reason") not in CIN_CLOSURE:
            bad(n, f"{kind} reason {p.get('reason')}")
        if kind == "contact_decided" and p.get("outcome") not in ("referral", "early_help", "nfa", "information"):
            bad(n, f"contact outcome {p.get('outcome')}")

        # Registration first; nothing before the date of birth unless unborn
        if kind == "child_registered":
            if child in registered:
                bad(n, f"{child} registered twice")
            unborn = p.get("unborn", False)
            if unborn != ("expected_date_of_birth" in p) or unborn == ("date_of_birth" in p):
                bad(n, f"unborn/date of birth fields {p}")
            registered[child] = (p.get("date_of_birth"), unborn)
            if p.get("date_of_birth") and p["date_of_birth"] > on:
                bad(n, "registered before birth without unborn")
            continue
        if child not in registered:
            bad(n, f"{kind} for {child} before child_registered")
            continue
        dob, unborn = registered[child]
        if dob and on < dob:
            bad(n, f"{kind} on {on} before date of birth {dob}")

        # Closed cases stay closed until a new contact
        if kind == "contact_received":
            closed.discard(child)
        elif child in closed:
            bad(n, f"{kind} for {child} after case_closed")
        if kind == "case_closed":
            closed.add(child)

        # Every referenced id introduced earlier, by the event that starts it
        intro = INTRODUCES.get(kind)
        if kind == "strategy_discussion":
            if p.get("s47_started"):
                if "s47_id" not in p:
                    bad(n, "s47 started without s47_id")
                s47_started.add(p["s47_id"])
                introduced.add(("s47_id", p["s47_id"]))
            intro = None
        if intro:
            ident = p.get(intro)
            if not ident:
                bad(n, f"{kind} without {intro}")
            elif (intro, ident) in introduced:
                bad(n, f"{kind} introduces {ident} again")
            introduced.add((intro, ident))
        for ref in REFS:
            if ref in p and ref != intro:
                space = "conference_id" if ref == "cancels" else ref
                if (space, p[ref]) not in introduced:
                    bad(n, f"{kind}.{ref} {p[ref]} not introduced earlier")

        # Specific rules
        if kind == "icpc_held" and p.get("s47_id") not in s47_started:
            bad(n, "ICPC without a strategy discussion that started s47")
        if kind == "cp_plan_started":
            if child in open_cp:
                bad(n, f"second open CP plan for {child}")
            open_cp[child] = p["plan_id"]
            plan_start[p["plan_id"]] = on
        if kind == "cp_plan_ended":
            if open_cp.get(child) != p["plan_id"]:
                bad(n, "CP plan ended that is not open")
            open_cp.pop(child, None)
            if on < plan_start[p["plan_id"]]:
                bad(n, "CP plan ends before it starts")
        if kind == "cin_plan_started":
            plan_start[p["plan_id"]] = on
        if kind == "cin_plan_ended" and on < plan_start[p["plan_id"]]:
            bad(n, "CIN plan ends before it starts")
        if kind == "period_of_care_started":
            open_periods.add(p["period_id"])
        if kind == "placement_started" and p["period_id"] not in open_periods:
            bad(n, "placement without an open period of care")
        if kind == "period_of_care_ended":
            open_periods.discard(p["period_id"])
        if kind == "conference_scheduled" and p.get("planned_on", "") < on:
            bad(n, "conference planned before it was booked")

c = counts
def expect(cond, what):
    if not cond:
        errors.append(f"proportions: {what}")

main = ["child_registered", "contact_received", "contact_decided", "referral_received",
        "assessment_started", "assessment_completed", "strategy_discussion", "s47_completed",
        "conference_scheduled", "icpc_held", "cp_plan_started", "cp_plan_ended", "rcpc_held",
        "core_group_held", "cin_plan_started", "cin_plan_reviewed", "child_visited",
        "period_of_care_started", "placement_started", "cla_review_held", "health_assessment",
        "pep_completed", "missing_started", "return_interview", "worker_allocated",
        "case_audit_completed", "case_closed", "referral_closed"]
for k in main:
    expect(c[k] > 0, f"no {k}")
expect(c["child_registered"] == 2000, f"{c['child_registered']} children registered")
expect(c["referral_received"] < c["contact_received"], "referrals >= contacts")
expect(0.2 <= c["referral_received"] / c["contact_received"] <= 0.5, "referrals not about a third of contacts")
expect(0.1 <= c["strategy_discussion"] / c["referral_received"] <= 0.35, "strategy discussions not about a fifth of referrals")
expect(c["icpc_held"] < c["s47_completed"], "ICPCs >= s47s")
expect(c["cp_plan_started"] <= c["icpc_held"], "CP plans > ICPCs")
expect(c["period_of_care_started"] < c["referral_received"] / 4, "too many periods of care")
expect(c["placement_started"] >= c["period_of_care_started"], "fewer placements than periods")
expect(c["conference_scheduled"] >= c["icpc_held"] + c["rcpc_held"] + c["cla_review_held"]
       + c["cin_plan_reviewed"], "conferences held without bookings")
expect(c["retraction"] == 0, "retractions generated")
for e in errors:
    print(e)
print("counts:", " ".join(f"{k}={v}" for k, v in sorted(c.items())))
sys.exit(1 if errors else 0)
PY

# --- Bad arguments: exit 2 naming the argument -----------------------------------------------
refuse () {  # expected-word args...
    local word=$1; shift
    set +e
    "$cli" generate "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    set -e
    [ "$rc" = 2 ] || fail "generate $*: exit $rc, expected 2"
    grep -q -- "$word" "$tmp/err" || fail "generate $*: message does not name $word: $(cat "$tmp/err")"
    [ ! -s "$tmp/out" ] || fail "generate $*: wrote to stdout"
}
ok=(--children 10 --years 1 --seed 1)
refuse --la --la 87 "${ok[@]}"
refuse --la --la 8721 "${ok[@]}"
refuse --la --la abc "${ok[@]}"
refuse --la "${ok[@]}"
refuse --children --la 872 --children 0 --years 1 --seed 1
refuse --children --la 872 --children 10000001 --years 1 --seed 1
refuse --children --la 872 --children 5x --years 1 --seed 1
refuse --years --la 872 --children 10 --years 0 --seed 1
refuse --years --la 872 --children 10 --years 21 --seed 1
refuse --seed --la 872 --children 10 --years 1 --seed -1
refuse --seed --la 872 --children 10 --years 1 --seed x
refuse --seed --la 872 --children 10 --years 1
refuse --end --la 872 "${ok[@]}" --end 2025-02-30
refuse --bogus --la 872 "${ok[@]}" --bogus
echo "cli_generate: $lines events, deterministic, causally valid, bad arguments refused"
