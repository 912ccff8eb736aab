#!/usr/bin/env bash
# Seed the committed fuzz corpora (tests/fuzz/corpus/<target>) from valid inputs, keeping only
# what reaches code the corpus does not yet (libFuzzer -merge=1). Run again after a parser
# learns a new form; it never removes an input (regression cases stay).
#   JOURNEY_BUILD_DIR=build tests/fuzz/seed.sh     (needs deploy/build and deploy/fuzz build)
# Seeds:
#   json_line        every line of the validation cases (test_ingest_validate --write-cases)
#                    and the first two lines of each payload kind `journey generate` writes
#   envelope         those lines packed as journey push packs them (fuzz_seed_envelopes): one
#                    batch per validation case, one per generated child with a payload kind no
#                    earlier child had, one with identifiers of 300 characters; and one envelope
#                    of each other kind the tool writes
#   config           deploy/journey.cfg, and a deployment file with local closures
#   calendar_import  gov.uk files: the built-in England and Wales days, and the other
#                    divisions' shape
#   date             dates and timestamps in every form the parsers take, and near misses
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${JOURNEY_BUILD_DIR:-$top/build}
fuzz_bin=$build/fuzz/tests/fuzz
corpus=$top/tests/fuzz/corpus
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
for t in envelope json_line config calendar_import date; do mkdir -p "$raw/$t" "$corpus/$t"; done

# --- Event lines ---------------------------------------------------------------------------
"$build/tests/test_ingest_validate" --write-cases "$raw" >/dev/null
"$build/services/cli/journey" generate --la 872 --children 400 --years 6 --seed 3 \
    --end 2024-12-31 --out "$raw/generated.jsonl" 2>/dev/null
python3 - "$raw" <<'PY'
import json, os, sys
raw = sys.argv[1]
common = {"event_id", "la_code", "child_id", "occurred_on", "recorded_at", "source",
          "worker_id", "team_id", "supersedes"}
def kind(line):
    try:
        return next(k for k in json.loads(line) if k not in common)
    except Exception:
        return None
cases = open(f"{raw}/cases.jsonl").read().splitlines()
generated = open(f"{raw}/generated.jsonl").read().splitlines()
lines, seen = list(cases), {}
for line in generated:
    k = kind(line)
    if seen.get(k, 0) < 2:
        seen[k] = seen.get(k, 0) + 1
        lines.append(line)
for i, line in enumerate(lines):
    open(f"{raw}/json_line/line-{i}", "w").write(line)
# Batches: one per validation case (event ids "V<case>-..."), one per generated child with a
# payload kind no earlier child had, each in file order.
batches, order = {}, []
for line in cases:
    case = line.split('"event_id":"', 1)[-1].split("-", 1)[0]
    if case not in batches:
        order.append(case)
    batches.setdefault(case, []).append(line)
children, kinds = {}, set()
for line in generated:
    children.setdefault(json.loads(line)["child_id"], []).append(line)
with open(f"{raw}/batches.txt", "w") as out:
    for case in order:
        out.write("\n".join(batches[case]) + "\n\n")
    for child, history in children.items():
        new = {kind(line) for line in history} - kinds
        if new:
            kinds |= new
            out.write("\n".join(history) + "\n\n")
    # Identifiers too long for the case store's stack keys (idempotency checks them before
    # validation refuses them), the second event sent twice.
    long = {"event_id": "E" * 300, "la_code": "872", "child_id": "C" * 300,
            "occurred_on": "2024-01-02", "recorded_at": "2024-01-02T12:00:00Z", "source": "seed",
            "child_registered": {"date_of_birth": "2015-06-01", "sex": "F", "ethnicity": "WBRI"}}
    contact = dict(long, event_id="L-1", contact_received={"contact_id": "X" * 300})
    del contact["child_registered"]
    for event in (long, contact, contact):
        out.write(json.dumps(event, separators=(",", ":")) + "\n")
    out.write("\n")
PY
"$fuzz_bin/fuzz_seed_envelopes" "$raw/envelope" <"$raw/batches.txt"

# --- Configuration -------------------------------------------------------------------------
cp "$top/deploy/journey.cfg" "$raw/config/journey.cfg"
cat >"$raw/config/deployment.cfg" <<'CFG'
# A deployment's file: its LA, endpoints, and local closure days.
la
    code = 872
    timezone = "Europe/London"
log
    level = notice
clock
    mode = simulated
    start_date = 2025-01-01
ingest
    batch_max = 10000
    request = "tcp://127.0.0.1:5601"   # comment after a value
calendar
    closures
        2025-12-29 = "Council closure"
        2025-12-30 = 'Council closure'
        2025-12-31
CFG

# --- gov.uk bank holidays ------------------------------------------------------------------
python3 - "$raw/calendar_import" "$top/common/src/jy_calendar.c" <<'PY'
import json, re, sys
out, source = sys.argv[1], open(sys.argv[2]).read()
days = re.findall(r'\{"(\d{4}-\d\d-\d\d)", "([^"]*)"\}', source)
events = [{"title": t, "date": d, "notes": "", "bunting": True} for d, t in days]
feed = {"england-and-wales": {"division": "england-and-wales", "events": events},
        "scotland": {"division": "scotland", "events": [
            {"title": "2nd January", "date": "2025-01-02", "notes": "", "bunting": True}]},
        "northern-ireland": {"division": "northern-ireland", "events": []}}
json.dump(feed, open(f"{out}/bank-holidays.json", "w"), indent=1, ensure_ascii=False)
small = {"england-and-wales": {"division": "england-and-wales", "events": [
    {"title": "Journey \"test\", day \\ {1} \u00e9", "date": "2028-03-15", "notes": "",
     "bunting": False},
    {"title": "Good Friday", "date": "2028-04-14", "notes": "Substitute day", "bunting": False}]}}
json.dump(small, open(f"{out}/small.json", "w"))
PY

# --- Dates and timestamps ------------------------------------------------------------------
i=0
for text in 2024-02-29 2023-02-29 1900-01-01 2199-12-31 2200-01-01 1899-12-31 2025-13-01 \
    2025-00-10 2025-1-01 2025-01-01x 2024-01-05T10:00:00Z 2024-01-05t10:00:00z \
    2024-01-05T10:00:00.123Z 2024-01-05T10:00:00.1234567+01:00 2024-06-30T23:59:60-00:30 \
    2024-01-05T10:00:00+23:59 2024-01-05T10:00:00 2024-01-05T24:00:00Z 1900-01-01T00:00:00+01:00; do
    printf '%s' "$text" >"$raw/date/seed-$i"
    i=$((i + 1))
done

# --- Dictionaries (libFuzzer -dict): the JSON keys and enum names of events.proto --------------
python3 - "$top/proto/journey/v1/events.proto" "$top/tests/fuzz/json_line.dict" <<'PY'
import re, sys
proto = open(sys.argv[1]).read()
fields = sorted(set(re.findall(r"^\s*(?:optional |repeated )?[\w.]+ (\w+) = \d+;", proto, re.M)))
values = sorted(set(v.lower() for v in re.findall(r"^\s*([A-Z][A-Z0-9_]*) = \d+;", proto, re.M)))
with open(sys.argv[2], "w") as out:
    out.write("# JSON keys and enum names of events.proto, written by tests/fuzz/seed.sh\n")
    for token in ["{", "}", "[", "]", ",", ":", "null", "true", "false", "\\u0000", "\\ud800",
                  "1e999", "-0", "2147483648", '"2024-02-29"', '"2024-01-05T12:00:00Z"']:
        out.write('"%s"\n' % token.replace("\\", "\\\\").replace('"', '\\"'))
    for name in fields:
        out.write('"\\"%s\\":"\n' % name)
    for name in values:
        out.write('"\\"%s\\""\n' % name)
PY

# --- Keep what adds coverage ---------------------------------------------------------------
for t in envelope json_line config calendar_import date; do
    before=$(ls "$corpus/$t" | wc -l)
    "$fuzz_bin/fuzz_$t" -merge=1 -use_counters=0 "$corpus/$t" "$raw/$t" >/dev/null 2>&1
    echo "seed: corpus/$t: $before -> $(ls "$corpus/$t" | wc -l) inputs ($(ls "$raw/$t" | wc -l) seeds)"
done
