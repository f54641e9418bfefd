#!/usr/bin/env bash
# Throwaway PostgreSQL and OpenLDAP servers for the integration tests, on 127.0.0.1 only.
#
# Usage: scripts/test-servers.sh start|stop|env|kill [postgres|ldap|moto|all] [--state DIR] [--watch PID]
#
#   start  starts the servers (stopping first any left in DIR by an earlier run), seeds them
#          with the fixtures in tests/integration/{postgres,ldap}/ and prints their settings
#   stop   stops exactly the servers recorded in DIR and deletes their files
#   env    prints the settings of running servers as KEY=VALUE lines (shell-sourceable)
#   kill   crashes the servers (SIGKILL, PostgreSQL's backends included), for the tests of a
#          server dying mid-read; `stop` still cleans up afterwards
#
# `moto` (moto's server mode, an AWS emulator for the aws-iam tests: `moto_server`, installed with
# pip, not in Debian) is started only when asked for by name, never by `all`; where moto_server
# is missing, `start moto` says so on stderr, succeeds, and prints no ROLLCALL_MOTO_URL, so the
# moto tests skip themselves.
#
# With --watch PID, `start` also leaves a watcher that runs `stop` once process PID has exited,
# so servers started by a test binary go away even when the binary is killed or crashes.
#
# DIR (default ${TMPDIR:-/tmp}/rollcall-test-servers-$UID) holds only the settings and the
# address of each server's own folder, a fresh `mktemp -d` under ${TMPDIR:-/tmp}: short enough
# for a unix socket path and reachable by the `postgres` user whatever the checkout's
# permissions. Each server listens on a free port of 127.0.0.1 (PostgreSQL also on a unix
# socket in its folder). PostgreSQL refuses to run as root: as root, initdb and the server run
# as the `postgres` user (or `nobody`) through runuser. Needs the Debian packages postgresql,
# slapd, ldap-utils and openssl (scripts/setup.sh --with-test-deps installs them).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tmp_root=${TMPDIR:-/tmp}
cmd=${1:-}
servers=all
state="$tmp_root/rollcall-test-servers-$(id -u)"
watch=""
shift || true
while (($#)); do
  case "$1" in
    postgres | ldap | moto | all) servers=$1 ;;
    --state) state=${2:?--state needs a folder}; shift ;;
    --watch) watch=${2:?--watch needs a process id}; shift ;;
    *) echo "test-servers: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "test-servers: $*" >&2; exit 1; }
want() { [[ $servers == all || $servers == "$1" ]]; }
want_moto() { [[ $servers == moto ]]; }

# A port nothing listens on yet. Whoever binds it may still lose a race: callers retry.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port found on 127.0.0.1"
}

# True when process $1 is alive and its command line mentions $2 (our own server folder), so a
# recycled pid is never signalled.
ours() { [[ -n $1 ]] && grep -qsF -- "$2" "/proc/$1/cmdline"; }

# The pids whose parent is $1.
children() {
  local stat line fields
  for stat in /proc/[0-9]*/stat; do
    { read -r line <"$stat"; } 2>/dev/null || continue
    read -r -a fields <<<"${line##*) }"  # after "pid (comm) ": state ppid ...
    if [[ ${fields[1]} == "$1" ]]; then line=${stat#/proc/}; echo "${line%/stat}"; fi
  done
}

# ---------------------------------------------------------------- PostgreSQL

pg_bindir() {
  local d
  d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
  [[ -n $d && -x $d/initdb ]] || die "PostgreSQL server not installed (apt-get install postgresql)"
  echo "$d"
}

# Runs a server command as an unprivileged user when we are root.
as_pg_user() {
  if ((EUID == 0)); then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}

pg_start() {
  local bin dir port
  bin=$(pg_bindir)
  pg_user=postgres
  getent passwd postgres >/dev/null || pg_user=nobody
  dir=$(mktemp -d "$tmp_root/rollcall-pg.XXXXXX")
  echo "$dir" >"$state/postgres.dir"
  ((EUID == 0)) && chown "$pg_user" "$dir"
  as_pg_user "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C --auth-local=trust \
    --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 || die "initdb failed: see $dir/initdb.log"
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
shared_buffers = 16MB
EOF
    if as_pg_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null; then
      break
    fi
    port=""
  done
  [[ -n $port ]] || die "PostgreSQL did not start: see $dir/server.log"
  "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
    -f "$repo/tests/integration/postgres/seed.sql" >"$dir/seed.log" 2>&1 ||
    die "seeding PostgreSQL failed: see $dir/seed.log"
  cat >"$state/postgres.env" <<EOF
ROLLCALL_PG_HOST=127.0.0.1
ROLLCALL_PG_PORT=$port
ROLLCALL_PG_SOCKET_DIR=$dir
ROLLCALL_PG_SUPERUSER=postgres
ROLLCALL_PG_READER=rollcall_reader
ROLLCALL_PG_READER_PASSWORD=reader-secret
ROLLCALL_PG_PID=$(head -1 "$dir/data/postmaster.pid")
EOF
}

pg_kill() {
  local dir pid
  [[ -f $state/postgres.dir ]] || return 0
  dir=$(cat "$state/postgres.dir")
  pid=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null || true)
  if ours "$pid" "$dir/data"; then
    # shellcheck disable=SC2046
    kill -KILL "$pid" $(children "$pid") 2>/dev/null || true
  fi
}

pg_stop() {
  local dir pid
  [[ -f $state/postgres.dir ]] || return 0
  dir=$(cat "$state/postgres.dir")
  pid=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null || true)
  if ours "$pid" "$dir/data"; then
    pg_user=$(stat -c %U "$dir/data")
    as_pg_user "$(pg_bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || pg_kill
  fi
  rm -rf "$dir" "$state/postgres.dir" "$state/postgres.env"
}

# ---------------------------------------------------------------- OpenLDAP

ldap_base="dc=example,dc=test"

ldap_tls() {
  local tls=$1
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rollcall test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$tls/ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 2 -extfile "$tls/ext" -out "$tls/server.pem" 2>/dev/null
}

# 1200 people under ou=bulk (more than the server's size limit of 500) and one group holding
# them all, for the paged-search tests.
ldap_bulk_ldif() {
  local i
  printf 'dn: ou=bulk,%s\nobjectClass: organizationalUnit\nou: bulk\n\n' "$ldap_base"
  printf 'dn: ou=bulkgroups,%s\nobjectClass: organizationalUnit\nou: bulkgroups\n\n' "$ldap_base"
  for i in $(seq -w 1 1200); do
    printf 'dn: uid=user%s,ou=bulk,%s\nobjectClass: inetOrgPerson\nuid: user%s\ncn: User %s\nsn: %s\nmail: user%s@example.test\n\n' \
      "$i" "$ldap_base" "$i" "$i" "$i" "$i"
  done
  printf 'dn: cn=bulk-all,ou=bulkgroups,%s\nobjectClass: groupOfNames\ncn: bulk-all\n' "$ldap_base"
  for i in $(seq -w 1 1200); do printf 'member: uid=user%s,ou=bulk,%s\n' "$i" "$ldap_base"; done
  echo
}

ldap_start() {
  local dir port tls_port pid
  command -v slapd >/dev/null || [[ -x /usr/sbin/slapd ]] || die "slapd not installed (apt-get install slapd)"
  dir=$(mktemp -d "$tmp_root/rollcall-ldap.XXXXXX")
  echo "$dir" >"$state/ldap.dir"
  mkdir -p "$dir/db"
  ldap_tls "$dir/tls"
  cat >"$dir/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/msuser.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
moduleload lastbind
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
TLSCACertificateFile $dir/tls/ca.pem
TLSCertificateFile $dir/tls/server.pem
TLSCertificateKeyFile $dir/tls/server.key

database mdb
suffix "$ldap_base"
rootdn "cn=admin,$ldap_base"
rootpw admin-secret
directory $dir/db
maxsize 104857600
# The OpenLDAP ways to lock an account (pwdAccountLockedTime) and record logins (authTimestamp).
overlay ppolicy
overlay lastbind
# Plain searches stop at 500 entries; paged searches may return everything.
limits * size.soft=500 size.hard=500 size.prtotal=unlimited
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="cn=rollcall,ou=services,$ldap_base" read by * none
EOF
  { cat "$repo/tests/integration/ldap/seed.ldif"; echo; ldap_bulk_ldif; } >"$dir/seed.ldif"
  /usr/sbin/slapadd -q -f "$dir/slapd.conf" -l "$dir/seed.ldif" >"$dir/slapadd.log" 2>&1 ||
    die "seeding slapd failed: see $dir/slapadd.log"
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    tls_port=$(free_port)
    [[ $port != "$tls_port" ]] || continue
    # -d 0 keeps slapd in the foreground (so $! is its pid) and sends its errors to the log.
    /usr/sbin/slapd -d 0 -f "$dir/slapd.conf" \
      -h "ldap://127.0.0.1:$port/ ldaps://127.0.0.1:$tls_port/" </dev/null >"$dir/server.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/server.pid"
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      if ldapsearch -x -H "ldap://127.0.0.1:$port/" -b "" -s base >/dev/null 2>&1; then
        break 2
      fi
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    port=""
  done
  [[ -n $port ]] || die "slapd did not start: see $dir/server.log"
  cat >"$state/ldap.env" <<EOF
ROLLCALL_LDAP_URL=ldap://127.0.0.1:$port
ROLLCALL_LDAPS_URL=ldaps://127.0.0.1:$tls_port
ROLLCALL_LDAP_CA_FILE=$dir/tls/ca.pem
ROLLCALL_LDAP_BASE=$ldap_base
ROLLCALL_LDAP_BIND_DN=cn=rollcall,ou=services,$ldap_base
ROLLCALL_LDAP_BIND_PASSWORD=reader-secret
ROLLCALL_LDAP_ADMIN_DN=cn=admin,$ldap_base
ROLLCALL_LDAP_ADMIN_PASSWORD=admin-secret
ROLLCALL_LDAP_PID=$pid
EOF
}

ldap_kill() {
  local dir pid
  [[ -f $state/ldap.dir ]] || return 0
  dir=$(cat "$state/ldap.dir")
  pid=$(cat "$dir/server.pid" 2>/dev/null || true)
  if ours "$pid" "$dir/slapd.conf"; then kill -KILL "$pid" 2>/dev/null || true; fi
}

ldap_stop() {
  local dir pid
  [[ -f $state/ldap.dir ]] || return 0
  dir=$(cat "$state/ldap.dir")
  pid=$(cat "$dir/server.pid" 2>/dev/null || true)
  if ours "$pid" "$dir/slapd.conf"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do ours "$pid" "$dir/slapd.conf" || break; sleep 0.1; done
    ldap_kill
  fi
  rm -rf "$dir" "$state/ldap.dir" "$state/ldap.env"
}

# ---------------------------------------------------------------- moto (AWS emulator)

moto_start() {
  local dir port pid
  if ! command -v moto_server >/dev/null 2>&1; then
    echo "test-servers: moto_server not found (pip install 'moto[server]' boto3); the moto tests are skipped" >&2
    return 0
  fi
  dir=$(mktemp -d "$tmp_root/rollcall-moto.XXXXXX")
  echo "$dir" >"$state/moto.dir"
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    # AWS-managed policies (AdministratorAccess, ...) exist in moto only when asked for.
    MOTO_IAM_LOAD_MANAGED_POLICIES=true setsid moto_server -H 127.0.0.1 -p "$port" </dev/null >"$dir/server.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/server.pid"
    for _ in $(seq 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break 2; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    port=""
  done
  [[ -n $port ]] || die "moto_server did not start: see $dir/server.log"
  cat >"$state/moto.env" <<EOF
ROLLCALL_MOTO_URL=http://127.0.0.1:$port
ROLLCALL_MOTO_PID=$pid
EOF
}

moto_kill() {
  local dir pid
  [[ -f $state/moto.dir ]] || return 0
  dir=$(cat "$state/moto.dir")
  pid=$(cat "$dir/server.pid" 2>/dev/null || true)
  if ours "$pid" moto_server; then kill -KILL "$pid" 2>/dev/null || true; fi
}

moto_stop() {
  local dir pid
  [[ -f $state/moto.dir ]] || return 0
  dir=$(cat "$state/moto.dir")
  pid=$(cat "$dir/server.pid" 2>/dev/null || true)
  if ours "$pid" moto_server; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do ours "$pid" moto_server || break; sleep 0.1; done
    moto_kill
  fi
  rm -rf "$dir" "$state/moto.dir" "$state/moto.env"
}

# ---------------------------------------------------------------- commands

case "$cmd" in
  start)
    mkdir -p "$state"
    if want postgres; then pg_stop; pg_start; fi
    if want ldap; then ldap_stop; ldap_start; fi
    if want_moto; then moto_stop; moto_start; fi
    if [[ -n $watch ]]; then
      # Detached, and holding none of our output streams, so a caller reading them is not kept
      # waiting.
      # shellcheck disable=SC2016  # expanded by the watcher's own shell
      setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" stop "$3" --state "$4"' \
        watcher "$watch" "$repo/scripts/test-servers.sh" "$servers" "$state" </dev/null >/dev/null 2>&1 &
    fi
    "$0" env "$servers" --state "$state"
    ;;
  kill)
    if want postgres; then pg_kill; fi
    if want ldap; then ldap_kill; fi
    if want_moto; then moto_kill; fi
    ;;
  stop)
    if want postgres; then pg_stop; fi
    if want ldap; then ldap_stop; fi
    if want_moto; then moto_stop; fi
    rmdir "$state" 2>/dev/null || true
    ;;
  env)
    if want_moto; then
      # Nothing to print when moto_server is missing: the moto tests skip themselves.
      if [[ -f $state/moto.env ]]; then cat "$state/moto.env"; fi
    fi
    for s in postgres ldap; do
      if want "$s"; then
        [[ -f $state/$s.env ]] || die "$s is not running (scripts/test-servers.sh start $s)"
        cat "$state/$s.env"
      fi
    done
    ;;
  *)
    echo "usage: scripts/test-servers.sh start|stop|env|kill [postgres|ldap|moto|all] [--state DIR] [--watch PID]" >&2
    exit 2
    ;;
esac
