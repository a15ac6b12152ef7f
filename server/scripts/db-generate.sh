#!/usr/bin/env bash
# Generate a SQL migration from the drizzle schema (server/src/db/schema.ts) into server/drizzle/.
# npm keeps drizzle-orm nested under server/node_modules (its optional React Native peers clash
# with the mini-program's React 18, so it cannot be hoisted), while drizzle-kit is hoisted to the
# root and resolves drizzle-orm from there: link it for the duration of the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# several engineers may generate at once: one at a time
exec 9>/tmp/siyu-db-generate.lock
flock 9
root=$(cd .. && pwd)
link="$root/node_modules/drizzle-orm"
created=0
if [ ! -e "$link" ] && [ -d node_modules/drizzle-orm ]; then ln -s "$PWD/node_modules/drizzle-orm" "$link"; created=1; fi
trap '[ $created = 1 ] && rm -f "$link"' EXIT
node "$root/node_modules/drizzle-kit/bin.cjs" generate --config drizzle.config.ts "$@"
