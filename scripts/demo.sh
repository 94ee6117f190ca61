#!/usr/bin/env bash
# The main job, end to end on this machine: installs what is missing, builds, then plays a day of
# the national network on 127.0.0.1. A CA issues certificates; the hub daemon starts; each of
# three centres in three regions runs the agent daemon; registrars enrol trainees (Kazakh and
# Russian names) and record their checks through the CLI and the agents sync them on their own;
# Shymkent's link goes down, it works offline (in Russian, with a list saved by Excel), and it
# catches up when the link returns; the ministry imports official EPS-TOPIK results that flow back
# to the centres; the nationwide readiness report ends the day.
# Everything lives in a scratch directory (DEMO_DIR, default a new temporary one) left to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh >/dev/null
EPSYNC="$PWD/build/cli/epsync"
CERTS="$PWD/certs/epsync-certs"
DIR="${DEMO_DIR:-$(mktemp -d /tmp/epsync-demo-XXXXXX)}"
mkdir -p "$DIR"
cd "$DIR"
rm -rf pki ./*.db ./*.db-wal ./*.db-shm ./*.crt ./*.key ./*.toml ./*.log ./*.csv
export EPSYNC_OPERATOR=demo

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ epsync %s\n' "$*"; "$EPSYNC" "$@"; }
d() { date -d "$1" +%F; }  # dates relative to today keep the story true every day
dmy() { date -d "$1" +%d.%m.%Y; }  # the same, as registrars here write dates
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! listening "$p"; then echo "$p"; return 0; fi
  done
  echo "demo: no free port found" >&2
  return 1
}
PORT=$(free_port)
HTTP_PORT=$(free_port)

say "The ministry's CA issues the hub's and three centres' certificates"
"$CERTS" init-ca --dir pki >/dev/null
"$CERTS" hub --dir pki --out hub --dns localhost --ip 127.0.0.1 >/dev/null
CENTRES=("ALM-014 almaty Almaty Polytechnic College" "AST-001 astana Astana Labour Mobility Centre" "SHY-007 shymkent Shymkent Vocational College")
for c in "${CENTRES[@]}"; do
  read -r id _ <<<"$c"
  "$CERTS" center --dir pki --out "$id" --id "$id" >/dev/null
done
ls pki/ca.crt hub.crt ALM-014.crt AST-001.crt SHY-007.crt

cat >hub.toml <<TOML
[listen]
address = "127.0.0.1:$PORT"
[tls]
ca = "pki/ca.crt"
cert = "hub.crt"
key = "hub.key"
[store]
path = "hub.db"
[http]
address = "127.0.0.1:$HTTP_PORT"
token = "demo-token"
TOML

say "The hub administrator registers the centres and starts the hub"
for c in "${CENTRES[@]}"; do
  read -r id region name <<<"$c"
  run hub center add "$id" --region "$region" --name "$name" --config hub.toml
done
"$EPSYNC" hub --config hub.toml 2>hub.log &
PIDS=($!)
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do listening "$PORT" && break; sleep 0.1; done
grep -o "hub listening.*" hub.log
grep -o "http listening.*" hub.log

for c in "${CENTRES[@]}"; do
  read -r id region _ <<<"$c"
  cat >"$id.toml" <<TOML
[center]
id = "$id"
[store]
path = "$id.db"
[hub]
address = "127.0.0.1:$PORT"
ca = "pki/ca.crt"
cert = "$id.crt"
key = "$id.key"
TOML
  "$EPSYNC" init --center "$id" --region "$region" --config "$id.toml" >/dev/null
done

say "Each centre starts its agent daemon"
for c in "${CENTRES[@]}"; do
  read -r id _ <<<"$c"
  "$EPSYNC" agent --config "$id.toml" 2>"$id.agent.log" &
  PIDS+=($!)
  echo "epsync agent --config $id.toml (pid $!)"
done
# Waits until a centre has nothing left to send (the agent syncs within a second of a write).
settled() {
  for _ in $(seq 1 100); do
    "$EPSYNC" status --config "$1.toml" --json | grep -q '"pending": 0' && return 0
    sleep 0.2
  done
  echo "demo: $1 did not settle" >&2
  return 1
}

enrol() {  # centre iin surname given birth sex sector
  "$EPSYNC" trainee add --config "$1.toml" --iin "$2" --surname "$3" --given-name "$4" --birth-date "$5" --sex "$6" --sector "$7" >/dev/null
  echo "$1: enrolled $3 $4"
}
checks() {  # centre iin score medical passport-expiry criminal-record-status
  "$EPSYNC" record korean "$2" --hours 180 --config "$1.toml" >/dev/null
  [ "$3" = "-" ] || "$EPSYNC" record test "$2" --kind eps-topik --date "$(d '-2 months')" --score "$3" --config "$1.toml" >/dev/null
  "$EPSYNC" record medical "$2" --date "$(d '-1 month')" --result "$4" --valid-until "$(d '+11 months')" --clinic "City clinic" --config "$1.toml" >/dev/null
  "$EPSYNC" record document "$2" --kind passport --status verified --expires "$5" --config "$1.toml" >/dev/null
  "$EPSYNC" record document "$2" --kind criminal-record --status "$6" --config "$1.toml" >/dev/null
  "$EPSYNC" record document "$2" --kind immigration-record --status verified --config "$1.toml" >/dev/null
}

say "Registrars enrol trainees and record their checks"
enrol ALM-014 950101401239 "Қасымова" "Әлия" 1995-01-01 F manufacturing
enrol ALM-014 980715301236 "Ёлкин" "Сергей" 1998-07-15 M construction
enrol AST-001 010309601237 "Сәрсенбай" "Дана" 2001-03-09 F agriculture
enrol AST-001 901130301234 "Nurlanov" "Arman" 1990-11-30 M manufacturing
enrol SHY-007 991212301236 "Үсенов" "Нұрлан" 1999-12-12 M construction
enrol SHY-007 840520401234 "Ахметова" "Гүлнар" 1984-05-20 F service
checks ALM-014 950101401239 156 fit "$(d '+5 years')" verified
checks ALM-014 980715301236 72 fit "$(d '+5 years')" verified
checks AST-001 010309601237 - fit "$(d '+5 years')" verified
checks AST-001 901130301234 118 fit "$(d '+3 months')" verified
checks SHY-007 991212301236 164 fit "$(d '+5 years')" submitted
checks SHY-007 840520401234 99 fit "$(d '+5 years')" verified
echo "recorded course hours, EPS-TOPIK scores, medical and document checks"

say "The agents have sent everything to the hub by themselves"
for id in ALM-014 AST-001 SHY-007; do settled "$id"; done
run hub report --by center --config hub.toml

say "Shymkent's link goes down; the registrar keeps working offline"
sed -i "s/127.0.0.1:$PORT/127.0.0.1:1/" SHY-007.toml
kill -HUP "${PIDS[3]}"  # the agent rereads its configuration, as systemctl reload does
run record document 991212301236 --kind criminal-record --status verified --config SHY-007.toml
sleep 2
run status --config SHY-007.toml
grep -o "sync failed.*" SHY-007.agent.log | tail -n 1

say "Offline, Shymkent's registrar works in Russian: local dates and words, a list saved by Excel"
run --lang ru trainee add --iin 020415600782 --surname Ким --given-name Алина --birth-date 15.04.2002 \
  --sex Ж --sector услуги --config SHY-007.toml
# Excel in a Russian locale saves CSV with `;`, in Windows-1251, with Russian headers.
printf 'ИИН;Дата;Результат;Годен до;Клиника\r\n020415600782;%s;годен;%s;Городская поликлиника\r\n' \
  "$(dmy '-1 week')" "$(dmy '+1 year')" | iconv -f UTF-8 -t WINDOWS-1251 >medical.csv
run --lang ru import medical.csv --config SHY-007.toml
run --lang ru trainee show Ким --config SHY-007.toml

say "The ministry imports official EPS-TOPIK results (one IIN is enrolled nowhere)"
cat >results.csv <<CSV
iin,test_date,score
010309601237,$(d '-3 weeks'),131
980715301236,$(d '-3 weeks'),88
990101300172,$(d '-3 weeks'),150
CSV
run hub import-results results.csv --config hub.toml

say "Shymkent's link is back: its agent catches up by itself"
sed -i "s/127.0.0.1:1\"/127.0.0.1:$PORT\"/" SHY-007.toml
kill -HUP "${PIDS[3]}"
settled SHY-007
run status --config SHY-007.toml

say "Official results reach the centres at their next sync (one-shot here, not waiting a minute)"
for id in ALM-014 AST-001; do run sync --config "$id.toml"; done
run readiness --config AST-001.toml

say "Nationwide readiness at the hub"
run hub report --by center --config hub.toml
run hub report --by region --config hub.toml | awk 'NR == 1 || $2 > 0 || $1 == "all"'
echo "(regions with no trainees yet are listed too; see --format json)"

echo
echo "Demo files are in $DIR (the hub's log is hub.log)."
echo "To browse the ministry's dashboard: cd $DIR && $EPSYNC hub --config hub.toml"
echo "then open http://127.0.0.1:$HTTP_PORT/ (any user name, password demo-token)."
