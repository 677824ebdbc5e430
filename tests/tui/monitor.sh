#!/bin/sh
# tests/tui/monitor.sh - the monitor screen in tmux: targets worst first with sparklines, the charts of the target under the cursor, zoom/freeze/pan, alerts with ack and silence, live reload when the store changes; 80x24, 40x12, C locale and NO_COLOR.
. "$top_srcdir/tests/tui/tmux.sh"

"$PLUMB" init -q
cat > plumb.yaml <<'Y'
monitor:
  interval: 15s
  targets:
    api:
      model: churn
      predictions: {path: logs/p.jsonl}
    batch:
      probe: {url: "http://127.0.0.1:9/health"}
alerts:
  builtin: false
  groups:
  - name: g
    interval: 15s
    rules:
    - alert: ApiSlow
      expr: plumb_prediction_latency_seconds{quantile="0.95"} > 0.1
      for: 1m
      labels: {severity: page}
Y
# 50 minutes of a watcher's rounds, 15 s apart: api slows down and drifts
# near the end, batch's probe fails for the last minutes.
now=$(date +%s)
T0=$(( (now - 3000) * 1000 ))
"$PYTHON3_SYS" - "$T0" > samples <<'PY'
import math, sys
t0 = int(sys.argv[1])
for i in range(201):
    t = t0 + i * 15000
    for tg in ("api", "batch"):
        print(f'plumb_watch_round_seconds{{target="{tg}"}} {t} 0.01')
    print(f'plumb_prediction_rate{{target="api"}} {t} {20 + 10 * math.sin(i / 20):.3f}')
    print(f'plumb_prediction_error_ratio{{target="api"}} {t} {0.01 if i < 150 else 0.08}')
    for q, b in (("0.5", 0.02), ("0.95", 0.05), ("0.99", 0.09)):
        print(f'plumb_prediction_latency_seconds{{quantile="{q}",target="api"}} {t} {b * (1 if i < 170 else 3)}')
    print(f'process_cpu_seconds_total{{target="api"}} {t} {i * 15 * 0.2:.2f}')
    print(f'process_resident_memory_bytes{{target="api"}} {t} {50e6 + i * 1e5:.0f}')
    print(f'plumb_model_accuracy{{target="api"}} {t} {0.92 if i < 160 else 0.81}')
    print(f'plumb_label_coverage{{target="api"}} {t} 0.8')
    print(f'plumb_drift_share{{target="api"}} {t} {0.0 if i < 160 else 0.4}')
    print(f'probe_success{{target="batch"}} {t} {1 if i < 190 else 0}')
    # per-feature drift each round: tenure (ks, a p-value) and charges
    # (wasserstein, a distance; its default threshold is 0.1) drift from
    # round 160, plan never does
    late = i >= 160
    for f, m, v in (("tenure", "ks", 0.001 if late else 0.6),
                    ("charges", "wasserstein", 0.35 if late else 0.02),
                    ("plan", "psi", 0.01)):
        print(f'plumb_drift_score{{feature="{f}",method="{m}",target="api"}} {t} {v}')
        print(f'plumb_drift_detected{{feature="{f}",method="{m}",target="api"}} {t} {1 if late and f != "plan" else 0}')
PY
"$top_builddir/tests/server/ts-write" "$T/.plumb" < samples > /dev/null
times=$("$PYTHON3_SYS" -c "import sys; t0 = int(sys.argv[1]); print(' '.join(str(t0 + i * 15000 + 1000) for i in range(201)))" "$T0")
# shellcheck disable=SC2086
"$top_builddir/tests/alerts/alert-eval" "$T/.plumb" plumb.yaml $times > /dev/null
assert_contains "$("$PLUMB" alerts)" "firing   ApiSlow" "the fixture fires ApiSlow"

# --- 120x36, UTF-8: W from the runs list ---
tm_start 120 36 TERM=xterm-256color LC_ALL=C.UTF-8
expect "plumb" "the TUI is up"
# every screen's status bar carries the firing count, at its right end
tm_wait "1 firing" >/dev/null 2>&1 || :
assert_contains "$(tm_screen | tail -n 1)" "1 firing" "the runs list's status bar: 1 firing"
tm_keys W
expect "plumb ▸ monitor" "W opens the monitor"
expect "1 firing" "the firing count in the header"
expect "watcher NOT running" "no watcher is said"
# worst first: api (firing) above batch (down)
la=$(line_of "! api") lb=$(line_of "▼ batch")
[ "$la" -gt 0 ] && [ "$lb" -gt "$la" ] && ok || fail "api (firing) above batch (down): $la $lb
$(tm_screen)"
row=$(tm_screen | grep "! api")
assert_contains "$row" "▁" "sparklines in the api row"
assert_contains "$row" "150.0ms" "p95 now"
assert_contains "$row" "churn (no" "the target's model, no production version"
assert_contains "$row" "40%" "drift share"
expect "api latency (ms)" "the charts are api's"
expect "api requests/s" "a second chart"
tm_screen | grep -q "$(date +%H):" && ok || fail "time axis reads times of day: $(tm_screen)"
expect "firing" "the alerts pane"
assert_contains "$(tm_screen | grep 'ApiSlow')" "firing" "ApiSlow firing in the pane"

# --- zoom, freeze, pan ---
tm_keys -
expect " 6h " "- zooms out to 6h"
tm_keys + +
expect " 15m " "+ zooms in to 15m"
tm_keys F
expect "15m frozen" "F freezes the window"
tm_keys [
expect "15m frozen" "[ pans back, still frozen"
tm_keys F
expect_gone "frozen" "F follows now again"

# --- the cursor picks the charted target ---
tm_keys j
expect "batch latency (ms)" "the charts follow the cursor"
tm_keys k
expect "api latency (ms)" "back on api"

# --- ack and silence from the alerts pane ---
tm_keys a
expect "put the alerts cursor" "a on the targets pane says where to go"
tm_keys Tab
expect "[alerts]" "Tab focuses the alerts"
tm_keys a
expect "ack comment:" "a asks for a comment"
tm_keys Enter
expect "a comment is needed" "an empty comment is refused"
tm_type "rolling back"
tm_keys Enter
expect "acknowledged 1 alert ApiSlow" "acknowledged"
json=$("$PLUMB" alerts --json)
assert_contains "$json" '"rolling back"' "the ack's comment is stored"
tm_keys s
expect "silence for DURATION REASON" "s asks for a duration and a reason"
tm_type "soon fixing"
tm_keys Enter
expect "start with a duration" "a bad duration is refused"
tm_keys C-u
tm_type "90m fixing the latency"
tm_keys Enter
expect "silence " "the silence is confirmed"
sil=$("$PLUMB" silence list)
assert_contains "$sil" 'alertname="ApiSlow"' "silence on the alert"
assert_contains "$sil" 'target="api"' "... and its target"
assert_contains "$sil" "fixing the latency" "... with the reason"
expect "silenced" "the pane marks the alert silenced"

# --- live: new samples show without a key ---
t=$(( $(date +%s) * 1000 ))
echo "plumb_prediction_rate{target=\"api\"} $t 987.5" |
	"$top_builddir/tests/server/ts-write" "$T/.plumb" > /dev/null
expect "987.5" "a new sample shows within the 1 s tick" 5

tm_keys Escape
expect "0 runs" "Esc goes back to the runs"
tm_keys q
expect "EXITED 0" "q quits with status 0"
tm_cleanup_pane() { tmux -L "$TM_SOCK" kill-server >/dev/null 2>&1 || :; }
tm_cleanup_pane

# --- event marks: a new version of api's model, alerts that fired ---
echo weights > model.bin
"$PLUMB" run -q -n train-churn -- true > /dev/null 2>&1
rid=$("$PLUMB" runs --ids | head -1)
"$PLUMB" model register churn --run "$rid" --path model.bin > /dev/null
tm_start 120 36 TERM=xterm-256color LC_ALL=C.UTF-8
tm_keys W
expect "plumb ▸ monitor" "the monitor again"
expect "▲" "event marks on the charts' time axis"
tm_keys '>'
expect "alert: firing ApiSlow" "> selects the first mark: ApiSlow fired"
expect "│" "the selected mark draws its rule"
tm_keys '<' '>' '>'
expect "register churn v1" "the model's new version is a mark"
tm_keys Enter
expect "train-churn" "Enter on it opens the run that trained the version"
tm_keys q
expect "plumb ▸ monitor" "back on the monitor"

# --- d: the drift heatmap of the target under the cursor ---
tm_keys d
expect "drift api" "d opens the drift heatmap of api"
expect "3 features, 2 drifting now" "features counted, the drifting ones too"
rows=$(tm_screen)
for f in charges plan tenure; do
	assert_contains "$rows" "$f" "a row for $f"
done
assert_contains "$(printf '%s\n' "$rows" | grep 'tenure  ' | cut -c 10-)" "X" "tenure marked where it drifted"
assert_not_contains "$(printf '%s\n' "$rows" | grep 'plan  ' | cut -c 10-)" "X" "plan never marked"
# the cursor: first feature (charges), the newest column with a window
# (the fixture ended when it was written: the last slices, up to now,
# may be empty), then tenure
tm_keys G
i=0
while ! tm_screen | grep -q "charges  wasserstein  distance" && [ $i -lt 15 ]; do
	tm_keys h
	sleep 0.1
	i=$((i + 1))
done
expect "charges  wasserstein  distance 0.35 >= threshold 0.1  DRIFTED" "the cursor cell's method, score, threshold"
tm_keys j j
expect "tenure  ks  p-value 0.001 < threshold 0.05  DRIFTED" "a p-value test reads as one"
tm_keys + g
# the oldest column with a window: the 15 minutes run back from now, so
# on a slow run the leftmost slices may start before the fixture's first
# window (seen in CI: "12:17-12:17  no window evaluated")
i=0
while tm_screen | grep -q "tenure  ks  .*no window evaluated" && [ $i -lt 15 ]; do
	tm_keys l
	sleep 0.1
	i=$((i + 1))
done
expect "tenure  ks  p-value 0.6 >= threshold 0.05  no drift" "15m, first column with a window: before the drift"
tm_keys - -
expect "6h" "zoom out"
tm_keys q
expect "plumb ▸ monitor" "q returns to the monitor"
tm_keys Q
expect "EXITED 0" "Q quits from the monitor"
tm_cleanup_pane

# --- 80x24: two charts; 40x12: the tables only, nothing broken ---
tm_start 80 24 TERM=xterm-256color LC_ALL=C.UTF-8
tm_keys W
expect "api latency (ms)" "80x24: charts"
expect "ApiSlow" "80x24: the alerts"
tm_keys d
expect "3 features, 2 drifting now" "80x24: the heatmap"
assert_contains "$(tm_screen | grep 'tenure  ' | cut -c 10-)" "X" "80x24: the drift mark"
tm_keys q
expect "api latency (ms)" "80x24: back on the monitor"
tm_keys Q
expect "EXITED 0" "80x24: Q quits"
tm_cleanup_pane
tm_start 40 12 TERM=xterm-256color LC_ALL=C.UTF-8
expect "1 firing" "40x12: the firing count on the runs list"
assert_contains "$(tm_screen | tail -n 1)" "1 firing" "40x12: in the status bar"
tm_keys W
expect "1 firing" "40x12: the firing count"
expect "alerts" "40x12: the alerts box"
expect "! api" "40x12: the targets"
tm_keys d
expect "2/3 drifting" "40x12: the heatmap"
expect "tenure" "40x12: its rows"

tm_keys Q
expect "EXITED 0" "40x12: Q quits"
tm_cleanup_pane

# --- C locale, NO_COLOR: ASCII marks and sparklines ---
tm_start 120 36 TERM=xterm-256color LC_ALL=C NO_COLOR=1
expect "1 firing" "C locale: the status bar's firing count"
tm_keys W
expect "plumb > monitor" "C locale: ASCII crumbs"
row=$(tm_screen | grep "! api")
case $row in
*[_.:=+*#-]*" 150.0ms"*) ok ;;
*) fail "ASCII sparklines: $row" ;;
esac
expect "v batch" "C locale: the down mark"
expect "^" "C locale: ASCII event marks"
tm_keys d
expect "monitor > drift api" "C locale: the heatmap"
assert_contains "$(tm_screen | grep 'tenure  ' | cut -c 10-)" "X" "C locale: the drift mark"
assert_contains "$(tm_screen | grep 'plan  ' | cut -c 10-)" "." "C locale: ASCII shades"
tm_keys q
tm_keys Q
expect "EXITED 0" "C locale: Q quits"
[ ! -s tui.stderr ] && ok || fail "stderr: $(cat tui.stderr)"
done_testing
