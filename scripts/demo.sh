#!/usr/bin/env bash
# The main job, end to end on this machine: installs what is missing, builds, then plays a
# centre's day. A registrar initialises the centre's store, enrols trainees (Kazakh and Russian
# names), records course hours, EPS-TOPIK scores, medical and document checks, and asks which
# trainees are ready and what holds the others back. Everything happens offline, in a scratch
# directory (DEMO_DIR, default a new temporary one) that is left for you to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh >/dev/null
EPSYNC="$PWD/build/agent/epsync"
DIR="${DEMO_DIR:-$(mktemp -d /tmp/epsync-demo-XXXXXX)}"
mkdir -p "$DIR"
DB="$DIR/ALM-014.db"
rm -f "$DB" "$DB"-wal "$DB"-shm
export EPSYNC_OPERATOR=registrar-aigerim

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ epsync %s\n' "$*"; "$EPSYNC" "$@"; }
d() { date -d "$1" +%F; }   # a date relative to today, so the story stays true every day

say "A centre in Almaty creates its store"
run init --center ALM-014 --region almaty --name "Almaty Polytechnic College" --db "$DB"

say "The registrar enrols seven trainees"
enrol() { "$EPSYNC" trainee add --db "$DB" --iin "$1" --surname "$2" --given-name "$3" --birth-date "$4" --sex "$5" --sector "$6" >/dev/null; echo "enrolled $2 $3"; }
enrol 950101401239 "Қасымова" "Әлия" 1995-01-01 F manufacturing
enrol 980715301236 "Ёлкин" "Сергей" 1998-07-15 M construction
enrol 010309601237 "Сәрсенбай" "Дана" 2001-03-09 F agriculture
enrol 901130301234 "Nurlanov" "Arman" 1990-11-30 M manufacturing
enrol 090201501238 "Өмірзақ" "Ерлан" 2009-02-01 M fishery
enrol 840520401234 "Ахметова" "Гүлнар" 1984-05-20 F service
enrol 991212301236 "Үсенов" "Нұрлан" 1999-12-12 M construction
run trainee list --db "$DB"

say "Checks recorded through the term"
complete() {  # $1 iin, $2 score, $3 medical result, $4 passport expiry, $5 criminal-record status
  "$EPSYNC" record korean "$1" --hours 180 --level "EPS-TOPIK prep" --db "$DB" >/dev/null
  "$EPSYNC" record test "$1" --kind eps-topik --date "$(d '-2 months')" --score "$2" --db "$DB" >/dev/null
  "$EPSYNC" record medical "$1" --date "$(d '-1 month')" --result "$3" --valid-until "$(d '+11 months')" --clinic "City clinic No. 4" --db "$DB" >/dev/null
  "$EPSYNC" record document "$1" --kind passport --status verified --number N1234567 --issued 2022-01-10 --expires "$4" --db "$DB" >/dev/null
  "$EPSYNC" record document "$1" --kind criminal-record --status "$5" --db "$DB" >/dev/null
  "$EPSYNC" record document "$1" --kind immigration-record --status verified --db "$DB" >/dev/null
}
complete 950101401239 156 fit "$(d '+5 years')" verified
complete 980715301236 72 fit "$(d '+5 years')" verified
complete 010309601237 131 unfit "$(d '+5 years')" verified
complete 901130301234 118 fit "$(d '+3 months')" verified
complete 090201501238 140 fit "$(d '+5 years')" verified
complete 840520401234 99 fit "$(d '+5 years')" verified
complete 991212301236 164 fit "$(d '+5 years')" submitted
echo "recorded course hours, EPS-TOPIK scores, medical and document checks"
run trainee update 840520401234 --status withdrawn --db "$DB"

say "A bad input is refused and changes nothing"
run record test 950101401239 --kind eps-topik --date "$(d '-1 day')" --score 250 --db "$DB" || echo "(exit code $?)"

say "The police certificate arrives for Үсенов"
run record document 991212301236 --kind criminal-record --status verified --db "$DB"

say "Readiness today"
run readiness --db "$DB"

say "Who changed what for Үсенов"
run history 991212301236 --db "$DB" | tail -n 4

say "Export and a consistent backup"
run export --db "$DB" --out "$DIR/trainees.csv"
head -n 3 "$DIR/trainees.csv"
run backup "$DIR/ALM-014.backup.db" --db "$DB"

echo
echo "Demo files are in $DIR"
