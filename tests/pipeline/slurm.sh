#!/bin/sh
# slurm.sh - plumb repro --executor slurm on a private one-node Slurm cluster (skipped without Slurm or root).
. "${top_srcdir}/tests/lib.sh"

for b in slurmctld slurmd sbatch scontrol scancel munged; do
	command -v $b >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
	command -v $b >/dev/null 2>&1 || { echo "SKIP: no $b"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: a private Slurm needs root here"; exit 77; }

# Everything in $T/slurm (notes/slurm.md): munge key and socket, config,
# state, spool and logs; daemons stopped by the PIDs we started.
S="$T/slurm"
mkdir -p "$S/state" "$S/spool" "$S/log" "$S/munge"
host=$(hostname -s)
dd if=/dev/urandom of="$S/munge/key" bs=1024 count=1 2>/dev/null
chmod 700 "$S/munge"
chmod 600 "$S/munge/key"
port=$((20000 + $$ % 20000))
cat > "$S/slurm.conf" <<C
ClusterName=plumbtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$S/munge/sock
CredType=cred/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/ctld.log
SlurmdLogFile=$S/log/d.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerParameters=batch_sched_delay=0,sched_interval=1,bf_interval=1
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=4 Sockets=1 CoresPerSocket=4 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
C
export SLURM_CONF="$S/slurm.conf"
munged --socket "$S/munge/sock" --key-file "$S/munge/key" --pid-file "$S/munge/pid" \
	--log-file "$S/log/munge.log" --seed-file "$S/munge/seed" --force 2>/dev/null || {
	echo "SKIP: munged did not start"; exit 77; }
# alive PID: running and not a zombie (nothing may reap daemons here)
alive() {
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$st" ] && [ "$st" != Z ]
}
stop_all() {
	pids=
	for f in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/pid"; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		kill "$p" 2>/dev/null || true
		pids="$pids $p"
	done
	for p in $pids; do
		i=0
		while alive "$p" && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
		alive "$p" && kill -9 "$p" 2>/dev/null || true
	done
	cd /
	rm -rf "$T" 2>/dev/null || { sleep 0.5; rm -rf "$T" || true; }
}
trap stop_all EXIT INT TERM
slurmctld -i 2>/dev/null
slurmd -N "$host" 2>/dev/null
i=0
until sinfo -h -o %t 2>/dev/null | grep -q idle; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "SKIP: the Slurm node did not become idle"; exit 77; }
	sleep 0.1
done

mkdir w && cd w
cat > plumb.yaml <<'P'
stages:
  a:
    cmd: echo "host $SLURM_JOB_ID" > a.out; echo to-stderr >&2
    outs: [a.out]
  b:
    cmd: [cat a.out > b.out, echo second >> b.out]
    deps: [a.out]
    outs: [b.out]
  c:
    cmd: echo c > c.out
    outs: [c.out]
P
"$PLUMB" repro --executor slurm -j 2 >r1 2>&1 || fail "repro on slurm: $(cat r1)"
assert_contains "$(cat r1)" "3 ran" "every stage ran as a batch job"
assert_contains "$(cat a.out)" "host " "the job saw SLURM_JOB_ID"
[ "$(cat a.out)" != "host " ] && ok || fail "SLURM_JOB_ID was empty"
assert_eq "second" "$(tail -1 b.out)" "a list cmd runs in order"
assert_contains "$(cat plumb.lock)" "b.out" "the lock records the outputs"
id=$("$PLUMB" runs --csv -c id,name | grep ',a$' | cut -d, -f1)
assert_contains "$(cat "$(ls -d ../w/.plumb/runs/"$id"*)/stderr.log")" "to-stderr" "stderr captured by Slurm"
"$PLUMB" repro --executor slurm >r2 2>&1 || fail "second repro"
assert_contains "$(cat r2)" "Pipeline is up to date" "up to date on slurm too"

# a failing job, and one interrupted
cat > plumb.yaml <<'P'
stages:
  bad:
    cmd: exit 4
    outs: [bad.out]
  slow:
    cmd: touch started; sleep 60; echo s > slow.out
    outs: [slow.out]
P
rm -f plumb.lock
"$PLUMB" repro --executor slurm -j 2 -k >r3 2>&1 &
pid=$!
i=0
while [ ! -f started ] && [ $i -lt 150 ]; do i=$((i + 1)); sleep 0.1; done
sleep 1
kill -INT $pid
set +e
wait $pid; st=$?
set -e
assert_eq 130 "$st" "interrupted"
assert_contains "$(cat r3)" "FAILED      bad  (exit status 4" "the job's exit status comes back"
assert_contains "$(cat r3)" "killed      slow" "the running job is cancelled"
i=0
while squeue -h 2>/dev/null | grep -q . && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.2; done
assert_eq "" "$(squeue -h 2>/dev/null)" "no job is left in the queue"

done_testing
