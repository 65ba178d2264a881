# shellcheck shell=bash
# Sourced by the foreign-language test scripts (android/run-jvm-tests.sh, ios/run-swift-tests.sh):
# starts a real kinship-server on a free loopback port with one public group and one event, and
# exports what the tests read:
#   KINSHIP_TEST_SERVER  the server's URL
#   KINSHIP_TEST_GROUP   the group's id (its event: "Kotlin meetup", 2099-01-01 18:00-20:00,
#                        Europe/Berlin, at "Hall")
# The caller must have built kinship-server (debug, in $CARGO_TARGET_DIR or target), and stops it
# with stop_test_server.

# make_work_dir: sets WORK to a fresh temporary directory; on exit, the test server is stopped
# and the directory removed.
make_work_dir() {
    WORK=$(mktemp -d)
    trap 'stop_test_server; rm -rf "$WORK"' EXIT
}

# start_test_server WORK_DIR
start_test_server() {
    local work=$1 db group_json token port
    db="sqlite://$work/server.sqlite"
    group_json=$("${CARGO_TARGET_DIR:-target}/debug/kinship-server" --database-url "$db" create-group --name "JVM test group" --json)
    KINSHIP_TEST_GROUP=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["group_id"])' <<<"$group_json")
    token=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["organizer_token"])' <<<"$group_json")
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${CARGO_TARGET_DIR:-target}/debug/kinship-server" --database-url "$db" serve --listen "127.0.0.1:$port" >/dev/null &
    TEST_SERVER_PID=$!
    KINSHIP_TEST_SERVER="http://127.0.0.1:$port"
    export KINSHIP_TEST_SERVER KINSHIP_TEST_GROUP
    for _ in $(seq 100); do curl -sf "$KINSHIP_TEST_SERVER/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf -X POST "$KINSHIP_TEST_SERVER/v1/groups/$KINSHIP_TEST_GROUP/events" \
        -H "Authorization: Bearer $token" -H 'content-type: application/json' \
        -d '{"title":"Kotlin meetup","starts_at":"2099-01-01T18:00:00","ends_at":"2099-01-01T20:00:00","time_zone":"Europe/Berlin","place":{"name":"Hall","address":"Street 1"},"category":"social"}' \
        >/dev/null
}

stop_test_server() {
    if [ -n "${TEST_SERVER_PID:-}" ]; then kill "$TEST_SERVER_PID" 2>/dev/null || true; fi
}
