#!/bin/sh
# The export mounts pgbouncer.ini and userlist.txt: refuse to start without them (edoburu's image
# would write them from DB_* variables; the exported compose sets none).
set -e
for f in /etc/pgbouncer/pgbouncer.ini /etc/pgbouncer/userlist.txt; do
  [ -r "$f" ] || { echo "entrypoint: $f is missing or unreadable" >&2; exit 1; }
done
exec "$@"
