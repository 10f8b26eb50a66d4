# Sourced by the benchmarks that run on PostgreSQL (catalog.sh, http.sh; kept out of
# tools/bench/*.sh, which `make bench` runs one by one): a PostgreSQL of the run's own in
# "$work/pg" — a socket in that directory, no TCP, fsync off (a benchmark's
# catalog, thrown away at exit). start_pg sets pg_url, pg_bin and pg_running; it runs in the
# caller's shell, not a subshell, so the caller's cleanup knows the server to stop with
# stop_pg. Needs $work, made by the caller (mode 755: the postgres user reaches its
# directory through it when the caller is root).
pg_bin=
pg_user=
pg_running=
pg_url=
as_pg() {
  if ((EUID == 0)); then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}
start_pg() {
  pg_bin=$(find /usr/lib/postgresql -maxdepth 3 -name initdb -path '*/bin/*' 2>/dev/null | sort -V | tail -1)
  [[ -n $pg_bin ]] || { echo "PostgreSQL is not installed" >&2; return 1; }
  pg_bin=$(dirname "$pg_bin")
  pg_user=$(id -un)
  ((EUID == 0)) && pg_user=postgres
  chmod 755 "$work"
  mkdir -p "$work/pg"
  ((EUID == 0)) && chown "$pg_user:" "$work/pg"
  as_pg "$pg_bin/initdb" -D "$work/pg/data" -A trust -U "$pg_user" --no-sync -E UTF8 >"$work/pg/initdb.log"
  as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" \
    -o "-c listen_addresses='' -c unix_socket_directories=$work/pg -c fsync=off -c max_connections=50" \
    -l "$work/pg/log" -w start >/dev/null
  pg_running=1
  as_pg "$pg_bin/createdb" -h "$work/pg" -U "$pg_user" drover
  pg_url="postgresql://$pg_user@/drover?host=$work/pg"
}
stop_pg() {
  [[ -n $pg_running ]] && as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1
  pg_running=
}
