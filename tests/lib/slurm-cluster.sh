#!/bin/sh
# tests/lib/slurm-cluster.sh - a private one-node Slurm cluster (munged, slurmctld, slurmd) in one directory, on loopback.
#
# Sourced by the Slurm tests and benchmarks, or run by hand:
#   sh tests/lib/slurm-cluster.sh start DIR [EXTRA_CONF_LINE...]
#   SLURM_CONF=DIR/slurm.conf squeue ...
#   sh tests/lib/slurm-cluster.sh stop DIR
# Sourced, it defines:
#   slurm_cluster_start DIR [EXTRA_CONF_LINE...]
#       writes DIR/slurm.conf, starts munged, slurmctld and slurmd (as
#       root, nothing in /etc touched: everything lives in DIR), waits
#       until the node is idle (about a second), and exports SLURM_CONF.
#       Returns 0 when the cluster is up; 77 (the automake skip status)
#       with the reason in $SLURM_SKIP when it cannot run here (packages
#       missing, not root, a daemon that did not start).  EXTRA lines go
#       at the end of slurm.conf (later keys win), e.g. KillWait=2.
#   slurm_cluster_stop DIR
#       cancels every job first (job processes outlive slurmd), then stops
#       the daemons by the PIDs they wrote, SIGKILL after 5 s.
#
# Scheduler timers are set low (no ~3 s per dependency hop), time limits
# are enforced exactly (OverTimeLimit=0) and a job past its limit gets
# SIGKILL one second after SIGTERM (KillWait=1).  The cluster has one
# partition, debug, and one node with 4 CPUs (SlurmdParameters=
# config_overrides: more than this machine may have, for parallelism).

# The daemons live in /usr/sbin, which a non-login PATH may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac

# A TCP port nobody listens on, and the one after it (slurmctld, slurmd).
slurm__free_ports() {
	local i p busy q hex
	i=0
	while [ $i -lt 50 ]; do
		i=$((i + 1))
		p=$(( 20000 + ($$ * 7 + i * 131 + $(date +%N | sed 's/^0*//;s/^$/0/') % 997) % 30000 ))
		busy=0
		for q in $p $((p + 1)); do
			hex=$(printf '%04X' $q)
			if cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
			    awk '{print $2}' | grep -qi ":$hex\$"; then busy=1; fi
		done
		[ $busy = 0 ] && { echo $p; return 0; }
	done
	return 1
}

# A PID that runs and is not a zombie (kill -0 succeeds on a zombie, and
# nothing reaps the daemons here).
slurm__alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$st" ] && [ "$st" != Z ]
}

slurm_cluster_start() {
	local S b host port line i
	S=$1
	shift
	SLURM_SKIP=
	for b in munged slurmctld slurmd sbatch scontrol scancel squeue sinfo; do
		command -v $b >/dev/null 2>&1 || {
			SLURM_SKIP="no $b (Debian packages slurmctld slurmd slurm-client munge; .ci/install-deps installs them)"
			return 77
		}
	done
	[ "$(id -u)" = 0 ] || { SLURM_SKIP="a private Slurm cluster needs root here (SlurmUser=root)"; return 77; }
	mkdir -p "$S/state" "$S/spool" "$S/log" "$S/munge" || return 1
	chmod 700 "$S/munge"
	dd if=/dev/urandom of="$S/munge/key" bs=1024 count=1 2>/dev/null
	chmod 600 "$S/munge/key"
	host=$(hostname -s)
	port=$(slurm__free_ports) || { SLURM_SKIP="no free loopback port"; return 77; }
	{
		cat <<C
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
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerParameters=batch_sched_delay=0,sched_interval=1,bf_interval=1
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
OverTimeLimit=0
KillWait=1
InactiveLimit=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=4 Sockets=1 CoresPerSocket=4 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
C
		for line in "$@"; do echo "$line"; done
	} > "$S/slurm.conf"
	export SLURM_CONF="$S/slurm.conf"
	munged --socket "$S/munge/sock" --key-file "$S/munge/key" \
	    --pid-file "$S/munge/pid" --log-file "$S/log/munged.log" \
	    --seed-file "$S/munge/seed" --force 2>"$S/log/munged.err" || {
		SLURM_SKIP="munged did not start: $(tail -1 "$S/log/munged.err")"
		return 77
	}
	slurmctld -i 2>"$S/log/slurmctld.err" || {
		SLURM_SKIP="slurmctld did not start: $(tail -1 "$S/log/slurmctld.err")"
		return 77
	}
	slurmd -N "$host" 2>"$S/log/slurmd.err" || {
		SLURM_SKIP="slurmd did not start: $(tail -1 "$S/log/slurmd.err")"
		return 77
	}
	i=0
	until sinfo -h -o %t 2>/dev/null | grep -q idle; do
		i=$((i + 1))
		[ $i -lt 150 ] || {
			SLURM_SKIP="the Slurm node did not become idle in 15 s: $(tail -2 "$S/log/slurmctld.log" 2>/dev/null)"
			return 77
		}
		sleep 0.1
	done
	return 0
}

slurm_cluster_stop() {
	local S i pids f p
	S=$1
	[ -f "$S/slurm.conf" ] || return 0
	SLURM_CONF="$S/slurm.conf"
	export SLURM_CONF
	# jobs first: their processes outlive slurmd
	if [ -f "$S/slurmctld.pid" ] && slurm__alive "$(cat "$S/slurmctld.pid")"; then
		scancel --user="$(id -un)" >/dev/null 2>&1 || true
		i=0
		while [ -n "$(squeue -h -t running,completing -o %i 2>/dev/null)" ] && [ $i -lt 50 ]; do
			i=$((i + 1))
			sleep 0.1
		done
	fi
	pids=
	for f in "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/pid"; do
		[ -f "$f" ] || continue
		p=$(cat "$f")
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null || true
		pids="$pids $p"
	done
	for p in $pids; do
		i=0
		while slurm__alive "$p" && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
		if slurm__alive "$p"; then kill -9 "$p" 2>/dev/null || true; fi
	done
	rm -f "$S/slurmd.pid" "$S/slurmctld.pid" "$S/munge/pid"
	return 0
}

# Run as a command: start or stop.
case "${0##*/}" in
slurm-cluster.sh)
	cmd=${1:-}
	[ $# -ge 2 ] || { echo "usage: $0 start|stop DIR [EXTRA_CONF_LINE...]" >&2; exit 2; }
	shift
	d=$1
	shift
	mkdir -p "$d"
	d=$(cd "$d" && pwd)
	case $cmd in
	start)
		slurm_cluster_start "$d" "$@" && { echo "SLURM_CONF=$d/slurm.conf"; exit 0; }
		rc=$?
		echo "slurm-cluster: ${SLURM_SKIP:-could not start}" >&2
		slurm_cluster_stop "$d"
		exit $rc ;;
	stop) slurm_cluster_stop "$d" ;;
	*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
	esac
	;;
esac
