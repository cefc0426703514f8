#!/usr/bin/env bash
# A local PostgreSQL streaming replica of the cluster at 127.0.0.1:5432, for running the portal with
# DATABASE_REPLICA_URL on one machine (README, "Growing past one machine").
#
#   bench/replica.sh start     make the standby if it is not there (pg_basebackup -R), start it,
#                              wait until it answers in recovery; prints its URL on stdout:
#                              postgres://postgres@127.0.0.1:5433 (add /<database>)
#   bench/replica.sh catch-up  wait until the standby has replayed everything the primary wrote
#   bench/replica.sh status    say whether it runs, is in recovery, and how far replay is behind
#   bench/replica.sh stop      stop it (its files stay; start brings it back and it catches up)
#   bench/replica.sh remove    stop it and delete its files
#
# Every action is safe to run again. Environment: REPLICA_PORT (5433), REPLICA_DIR
# (/var/lib/postgresql/portal-replica-<port>), PRIMARY_HOST (127.0.0.1), PRIMARY_PORT (5432),
# PRIMARY_USER (postgres, a superuser allowed in with trust from 127.0.0.1).
#
# The primary is never restarted. If its pg_hba.conf lets no replication connection in from
# 127.0.0.1, this adds "host replication all 127.0.0.1/32 trust" and reloads it. The standby
# copies the whole cluster (every database on it) and needs no replication slot, so removing it
# leaves nothing behind on the primary. PostgreSQL refuses to run as root: run as root or as the
# postgres OS user; the server runs as postgres either way.
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PRIMARY_USER=${PRIMARY_USER:-postgres}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/var/lib/postgresql/portal-replica-$REPLICA_PORT}
WAIT_SECONDS=${REPLICA_WAIT_SECONDS:-60}
READY_MARK="$REPLICA_DIR/portal-replica.ready"
URL="postgres://$PRIMARY_USER@127.0.0.1:$REPLICA_PORT"

say() { echo "replica: $*" >&2; }
die() { say "$*"; exit 1; }

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

primary_sql() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -d postgres -XAtqc "$1"; }
replica_sql() { psql -h 127.0.0.1 -p "$REPLICA_PORT" -U "$PRIMARY_USER" -d postgres -XAtqc "$1" 2>/dev/null; }

bindir() {
    local major
    major=$(( $(primary_sql "show server_version_num") / 10000 ))
    [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ] || die "PostgreSQL $major server binaries not found in /usr/lib/postgresql/$major/bin"
    echo "/usr/lib/postgresql/$major/bin"
}

running() { [ -f "$REPLICA_DIR/postmaster.pid" ] && as_postgres "$(bindir)/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; }

replication_allowed() {  # a replication connection, tried for real
    psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PRIMARY_USER replication=true" -XAtqc "IDENTIFY_SYSTEM" >/dev/null 2>&1
}

allow_replication() {
    if replication_allowed; then
        return
    fi
    local hba
    hba=$(primary_sql "show hba_file")
    say "adding 'host replication all 127.0.0.1/32 trust' to $hba and reloading the primary's configuration"
    printf '\n# Local streaming replicas (bench/replica.sh)\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
    primary_sql "select pg_reload_conf()" >/dev/null
    for _ in $(seq 50); do
        replication_allowed && return
        sleep 0.1
    done
    die "the primary still refuses replication connections after the reload; see $hba"
}

check_primary() {
    primary_sql "select 1" >/dev/null || die "the primary at $PRIMARY_HOST:$PRIMARY_PORT does not answer"
    [ "$(primary_sql "select current_setting('wal_level') in ('replica', 'logical')")" = t ] \
        || die "the primary's wal_level is $(primary_sql "show wal_level"); streaming needs replica (a restart of the primary)"
    [ "$(primary_sql "show max_wal_senders")" -gt 0 ] || die "the primary's max_wal_senders is 0"
}

make_standby() {
    local bin size
    bin=$(bindir)
    size=$(primary_sql "select pg_size_pretty(sum(pg_database_size(datname))) from pg_database")
    say "copying the primary ($size in all its databases) into $REPLICA_DIR"
    rm -rf "$REPLICA_DIR"
    mkdir -p "$REPLICA_DIR"
    chown postgres:postgres "$REPLICA_DIR" 2>/dev/null || true
    chmod 700 "$REPLICA_DIR"
    # -R writes standby.signal and primary_conninfo; -c fast checkpoints now instead of waiting;
    # --no-sync because a copy lost in a crash is simply made again (fsync here took half a minute).
    as_postgres "$bin/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" \
        -D "$REPLICA_DIR" -R -X stream -c fast --no-sync --no-password
    # The copy has the primary's data, not its configuration (Debian keeps that in /etc). A hot
    # standby needs these limits at least as high as the primary's.
    local setting settings=""
    for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
        settings+="$setting = $(primary_sql "show $setting")"$'\n'
    done
    as_postgres tee "$REPLICA_DIR/postgresql.conf" >/dev/null <<EOF
# A local streaming replica made by bench/replica.sh
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$REPLICA_DIR'
hot_standby = on
# Tell the primary which rows the replica's queries still read, so replay never cancels a page's
# query (the primary's vacuum waits for them instead).
hot_standby_feedback = on
shared_buffers = 64MB
# A throwaway copy: no fsync (a crash means making it again), which also spares the sync of the
# whole data directory at start.
fsync = off
$settings
EOF
    as_postgres tee "$REPLICA_DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
    as_postgres touch "$REPLICA_DIR/pg_ident.conf" "$READY_MARK"
}

start() {
    check_primary
    if running; then
        say "already running on port $REPLICA_PORT"
        echo "$URL"
        return
    fi
    if [ ! -f "$READY_MARK" ]; then  # absent, or a copy that was interrupted: make it afresh
        allow_replication
        make_standby
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$REPLICA_PORT") 2>/dev/null; then
        die "port $REPLICA_PORT is taken by another server; set REPLICA_PORT"
    fi
    as_postgres "$(bindir)/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/server.log" -w -t "$WAIT_SECONDS" start >&2 \
        || die "the standby did not start; see $REPLICA_DIR/server.log"
    for _ in $(seq $((WAIT_SECONDS * 10))); do
        [ "$(replica_sql "select pg_is_in_recovery()")" = t ] && break
        sleep 0.1
    done
    [ "$(replica_sql "select pg_is_in_recovery()")" = t ] || die "the standby answers but is not in recovery"
    catch_up
    say "streaming from $PRIMARY_HOST:$PRIMARY_PORT on port $REPLICA_PORT"
    echo "$URL"
}

catch_up() {
    local target
    target=$(primary_sql "select pg_current_wal_lsn()")
    for _ in $(seq $((WAIT_SECONDS * 10))); do
        [ "$(replica_sql "select pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ] && return
        sleep 0.1
    done
    die "the standby has not replayed up to $target within $WAIT_SECONDS s"
}

stop() {
    if running; then
        as_postgres "$(bindir)/pg_ctl" -D "$REPLICA_DIR" -m fast -w stop >&2
    else
        say "not running"
    fi
}

status() {
    if running; then
        local primary_lsn
        primary_lsn=$(primary_sql "select pg_current_wal_lsn()")
        echo "running on port $REPLICA_PORT, in recovery: $(replica_sql "select pg_is_in_recovery()"), replay $(replica_sql "select greatest(pg_wal_lsn_diff('$primary_lsn', pg_last_wal_replay_lsn()), 0)::bigint") bytes behind the primary"
    else
        echo "not running"
        return 3
    fi
}

case "${1:-}" in
    start) start ;;
    catch-up) running || die "not running"; catch_up ;;
    status) status ;;
    stop) stop ;;
    remove) stop; rm -rf "$REPLICA_DIR"; say "removed $REPLICA_DIR" ;;
    *) echo "usage: $0 start|catch-up|status|stop|remove" >&2; exit 2 ;;
esac
