#!/usr/bin/env bash
# journey keygen --out DIR writes only into a directory that is the caller's alone: one owned by
# someone else (who could have planted a key of their own there) or writable by its group or
# others is refused, naming it and why; a missing one is made mode 0700; the key files are new
# (O_EXCL), never written through a symlink, the secret mode 0600. The ownership cases need
# root (to chown the directory to nobody).
set -euo pipefail

source "$(dirname "$0")/lib.sh"
unset JOURNEY_CONFIG 2>/dev/null || true

# --- a missing directory is made, mode 0700, and the keys load --------------------------------
run keygen cms --la-codes 872 --out "$tmp/made"
check "keygen into a missing directory succeeds" '[ "$rc" -eq 0 ]'
check "the directory is made mode 0700" '[ "$(stat -c %a "$tmp/made")" = 700 ]'
check "the secret is mode 0600" '[ "$(stat -c %a "$tmp/made/cms")" = 600 ]'
check "the public certificate is mode 0644" '[ "$(stat -c %a "$tmp/made/cms.pub")" = 644 ]'
check "the secret holds the secret key" 'grep -q "secret-key = " "$tmp/made/cms"'
check "the public certificate holds no secret key" '! grep -q "secret-key" "$tmp/made/cms.pub"'
check "the public certificate carries the LA codes" 'grep -q "la_codes = \"872\"" "$tmp/made/cms.pub"'
check "the secret's public key is the public certificate's" \
    '[ "$(grep public-key "$tmp/made/cms")" = "$(grep public-key "$tmp/made/cms.pub")" ]'

# --- a secret planted as a symlink is not followed ---------------------------------------------
echo "precious" >"$tmp/victim"
mkdir -m 0700 "$tmp/planted"
ln -s "$tmp/victim" "$tmp/planted/board"
run keygen board --reports --out "$tmp/planted"
check "a symlink at the secret's name is refused" '[ "$rc" -eq 1 ] && grep -q "exists" <<<"$err"'
check "the file it points to is unchanged" '[ "$(cat "$tmp/victim")" = precious ]'
run keygen board --reports --force --out "$tmp/planted"
check "--force replaces the symlink itself" '[ "$rc" -eq 0 ] && [ ! -L "$tmp/planted/board" ]'
check "and still leaves the file it pointed to alone" '[ "$(cat "$tmp/victim")" = precious ]'

# --- a directory others may write is refused ---------------------------------------------------
mkdir -m 0700 "$tmp/shared"
chmod o+w "$tmp/shared"
run keygen board --reports --out "$tmp/shared"
check "a directory others may write is refused" \
    '[ "$rc" -eq 1 ] && grep -q "$tmp/shared: refused: its group or others may write it (mode 0702)" <<<"$err"'
check "and nothing is written there" '[ -z "$(ls -A "$tmp/shared")" ]'
chmod o-w,g+w "$tmp/shared"
run keygen board --reports --out "$tmp/shared"
check "a directory its group may write is refused" '[ "$rc" -eq 1 ] && grep -q "mode 0720" <<<"$err"'

# --- a directory owned by someone else is refused ----------------------------------------------
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    mkdir -m 0755 "$tmp/theirs"
    chown nobody "$tmp/theirs"
    run keygen board --reports --out "$tmp/theirs"
    check "a directory owned by another user is refused, naming the owner" \
        '[ "$rc" -eq 1 ] && grep -q "$tmp/theirs: refused: it belongs to uid $(id -u nobody), not to you (uid 0)" <<<"$err"'
    check "and nothing is written there" '[ -z "$(ls -A "$tmp/theirs")" ]'
else
    echo "(not root: the other owner's directory is not tried)"
fi

# --- a file where the directory should be ------------------------------------------------------
touch "$tmp/file"
run keygen board --out "$tmp/file"
check "a file as --out is refused" '[ "$rc" -eq 1 ] && grep -q "not a directory" <<<"$err"'

finish cli_keygen
