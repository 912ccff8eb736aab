#!/usr/bin/env bash
# Every validation case of tests/ingest/test_validate.c, sent through `journey push` to a real
# journey-ingestd: each bad event comes back rejected with its code and field (and is kept as a
# dead letter), every other event is accepted. The cases are written by the test binary
# (test_ingest_validate --write-cases DIR), so the two tests cannot drift apart.
#   rejections.sh PATH-TO-test_ingest_validate
set -euo pipefail
source "$JOURNEY_SOURCE_DIR/tests/integration/ingestd.sh"
cases_program=${1:?the test_ingest_validate binary}

# The cases' today is 2025-01-01 (test_validate.c's TODAY).
ingestd_start rejections 2025-01-01
"$cases_program" --write-cases "$ingestd_dir" >/dev/null
rc=0
"$JOURNEY_CLI" push "$ingestd_dir/cases.jsonl" --json >"$ingestd_dir/push.json" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || ingestd_fail "push exited $rc (expected 1: some events are rejected)"

python3 - "$ingestd_dir/push.json" "$ingestd_dir/expected.txt" <<'PY'
import json, sys
push = json.load(open(sys.argv[1]))
expected = [line.split() for line in open(sys.argv[2])]
got = {r["line"]: r for r in push["rejections"]}
failures, codes = [], set()
for number, want in enumerate(expected, start=1):
    seen = got.get(number)
    if want[0] == "accepted":
        if seen:
            failures.append(f"line {number}: expected accepted, got {seen['code']} ({seen['message']})")
    else:
        code, field = want[1], want[2]
        codes.add(code)
        if not seen:
            failures.append(f"line {number}: expected {code}, was accepted")
        elif (seen["code"], seen["field"]) != (code, field):
            failures.append(f"line {number}: expected {code} ({field}), got {seen['code']} ({seen['field']}): {seen['message']}")
assert push["lines"] == len(expected), (push["lines"], len(expected))
for f in failures:
    print("FAIL:", f)
print(f"rejections: {len(expected)} events, {len(got)} rejected, {len(codes)} codes seen through the daemon, {len(failures)} failed")
sys.exit(1 if failures else 0)
PY
dead=$(ingestd_query "SELECT count(*) FROM ingest.dead_letter")
rejected=$(grep -c '^rejected' "$ingestd_dir/expected.txt")
[ "$dead" = "$rejected" ] || ingestd_fail "ingest.dead_letter holds $dead rows for $rejected rejections"
echo "rejections: every rejected event kept as a dead letter ($dead)"
