#!/usr/bin/env bash
# The wheel as a user gets it: built from this checkout's files, installed into a new
# virtualenv outside the checkout, and every command run once on a copy of the sample
# organisation, at a fixed present (ROTA_NOW). Fails on the first command that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rota-wheel-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export ROTA_NOW=2026-11-27T12:00:00Z
export ROTA_CACHE_DIR=$WORK/cache

# the files a clone has (committed, or new and not ignored): nothing a local build left
mkdir "$WORK/src"
git ls-files -z --cached --others --exclude-standard \
  | tar -cf - --null --ignore-failed-read -T - 2>/dev/null | tar -xf - -C "$WORK/src"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --upgrade pip
"$WORK/venv/bin/pip" wheel --quiet --no-deps -w "$WORK/dist" "$WORK/src"
"$WORK/venv/bin/pip" install --quiet "$WORK"/dist/rota-*.whl
rm -rf "$WORK/src"

cd "$WORK"
# the package comes from the virtualenv, not from a checkout
"$WORK/venv/bin/python" -c 'import generator, sys; sys.exit(not generator.__file__.startswith(sys.argv[1]))' "$WORK/venv/"

ORG=$WORK/org
mkdir "$ORG"
cp -r "$REPO/rotations" "$REPO/runbooks" "$REPO/postmortems" "$REPO/mkdocs.yml" "$ORG/"
find "$ORG" -name '*.state.json' -delete
FIXTURES=$REPO/tests/integrations/fixtures

run() {
  if ! "$WORK/venv/bin/rota" "$@" >"$WORK/out" 2>&1; then
    echo "wheel check: 'rota $*' failed:" >&2
    cat "$WORK/out" >&2
    exit 1
  fi
  echo "ok: rota $*"
}

run --root "$ORG" validate
run --root "$ORG" build --out "$WORK/site"
test -f "$WORK/site/index.html" && test -f "$WORK/site/ical/team-payments.ics"
run --root "$ORG" who
run --root "$ORG" schedule
run --root "$ORG" fairness
run --root "$ORG" pay
run --root "$ORG" handoff --team payments
run --root "$ORG" cover --team payments --rotation primary
run --root "$ORG" ical --team payments
run --root "$ORG" incidents
run --root "$ORG" actions
run --root "$ORG" schema
run --root "$ORG" export opsgenie
run --root "$ORG" import opsgenie "$FIXTURES/opsgenie/schedule.json" \
  "$FIXTURES/opsgenie/timeline.json" --out "$WORK/imported.yaml"
test -s "$WORK/imported.yaml"
run --root "$ORG" postmortem new INC-132
test -f "$ORG/postmortems/INC-132.md"
run --root "$ORG" plan
run init "$WORK/new"
run --root "$WORK/new" validate
echo "wheel check: every command ran from the installed wheel"
