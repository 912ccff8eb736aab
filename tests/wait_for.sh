# Shared by the test scripts:  source "$JOURNEY_SOURCE_DIR/tests/wait_for.sh"
# wait_for COMMAND TENTHS: up to TENTHS tenths of a second until COMMAND (evaluated) succeeds;
# status 1 when it never did. For conditions a test cannot be told of (a log line, a row).
wait_for () {
    local i
    for ((i = 0; i < $2; i++)); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}
