/* proc.c - the process source of plumb watch: CPU, memory, threads and file descriptors of a process from /proc. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor/names.h"
#include "monitor/source.h"
#include "store/error.h"

/*
 * The process is found, every round, by
 *   pid: N        that pid;
 *   pidfile: F    the pid written in F (read each round: a restarted
 *                 service writes a new one);
 *   match: RE     the oldest process whose command line (arguments
 *                 joined by spaces) matches the POSIX extended regex
 *                 (unanchored, as grep -E; plumb itself is skipped).
 * A pid is taken as the same process while its start time is: a pid
 * reused by another process is a restart.
 *
 * Series (names of the Prometheus client libraries' process collector):
 *   process_cpu_seconds_total       user + system CPU (counter)
 *   process_resident_memory_bytes   RSS
 *   process_virtual_memory_bytes    VSZ
 *   process_open_fds                entries of /proc/PID/fd (left out
 *                                   when another user's: no permission)
 *   process_max_fds                 soft RLIMIT_NOFILE
 *   process_start_time_seconds      Unix seconds
 *   process_threads
 *   process_up                      1 while found, else 0 (alone)
 *
 * A process that is not there is data, never an error: process_up 0 and
 * the state (key "process") "down" with the reason ("pidfile
 * run/serve.pid: No such file or directory", "pid 4242 is gone", "no
 * process matches 'serve.py'").  It is "up" with "pid N" otherwise, and
 * "restarted" for the round in which the pid or its start time changed
 * (detail "pid A -> pid B").
 */

struct proc {
	long pid;			/* configured pid, else 0 */
	char *pidfile;
	char *match;
	regex_t re;
	int have_re;
	long self;			/* our own pid: never matched */
	long clk_tck, page;
	double boot_s;			/* btime of /proc/stat */
	char *root;			/* "/proc" */
	/* the process seen last round */
	long cur_pid;
	unsigned long long cur_start;	/* start time, clock ticks */
};

static int
proc_wants(const pl_mon_target *t)
{
	return t->process.set;
}

static double
read_btime(const char *root)
{
	char path[512], line[256];
	FILE *f;
	double bt = 0;

	snprintf(path, sizeof path, "%s/stat", root);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "btime ", 6) == 0) {
			bt = strtod(line + 6, NULL);
			break;
		}
	fclose(f);
	return bt;
}

static void
proc_free(struct proc *p)
{
	if (p == NULL)
		return;
	if (p->have_re)
		regfree(&p->re);
	free(p->pidfile);
	free(p->match);
	free(p->root);
	free(p);
}

static int
proc_open(void **state, const pl_mon_target *t, const pl_mon_env *env,
    char *err, size_t err_len)
{
	struct proc *p = calloc(1, sizeof *p);

	(void)env;
	*state = NULL;
	if (p == NULL)
		goto nomem;
	p->pid = t->process.pid;
	p->self = (long)getpid();
	p->clk_tck = sysconf(_SC_CLK_TCK);
	p->page = sysconf(_SC_PAGESIZE);
	if (p->clk_tck <= 0)
		p->clk_tck = 100;
	if (p->page <= 0)
		p->page = 4096;
	if ((p->root = strdup("/proc")) == NULL)
		goto nomem;
	if (t->process.pidfile &&
	    (p->pidfile = strdup(t->process.pidfile)) == NULL)
		goto nomem;
	if (t->process.match) {
		if ((p->match = strdup(t->process.match)) == NULL)
			goto nomem;
		if (regcomp(&p->re, p->match, REG_EXTENDED | REG_NOSUB) != 0) {
			snprintf(err, err_len, "process: match is not a valid "
			    "regular expression: '%s'", p->match);
			proc_free(p);
			return PL_EINVAL;
		}
		p->have_re = 1;
	}
	p->boot_s = read_btime(p->root);
	*state = p;
	return PL_OK;
nomem:
	proc_free(p);
	snprintf(err, err_len, "process: out of memory");
	return PL_ENOMEM;
}

/* What /proc/PID/stat says that we use. */
struct pstat {
	unsigned long long utime, stime, start;
	long threads;
	unsigned long long vsize;
	long long rss;		/* pages */
};

/*
 * Reads /proc/PID/stat.  The command name (field 2) is in parentheses
 * and may hold spaces and ')': the fields after it start after the LAST
 * ')'.  0, or -1 when the process is gone (or is a zombie: it holds no
 * memory and is not the service any more).
 */
static int
read_stat(const struct proc *p, long pid, struct pstat *ps)
{
	char path[512], buf[4096], *q;
	FILE *f;
	size_t n;
	char state;

	snprintf(path, sizeof path, "%s/%ld/stat", p->root, pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((q = strrchr(buf, ')')) == NULL)
		return -1;
	/* fields 3.. : state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime(14) stime(15) cutime cstime
	 * priority nice num_threads(20) itrealvalue starttime(22)
	 * vsize(23) rss(24) */
	if (sscanf(q + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu %*d %*d %*d %*d %ld %*d %llu %llu %lld",
	    &state, &ps->utime, &ps->stime, &ps->threads, &ps->start,
	    &ps->vsize, &ps->rss) != 7)
		return -1;
	if (state == 'Z' || state == 'X')
		return -1;
	return 0;
}

/* Soft limit of "Max open files" in /proc/PID/limits, or -1. */
static double
max_fds(const struct proc *p, long pid)
{
	char path[512], line[256];
	FILE *f;
	double v = -1;

	snprintf(path, sizeof path, "%s/%ld/limits", p->root, pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "Max open files", 14) == 0) {
			char *s = line + 14;

			while (*s == ' ')
				s++;
			if (strncmp(s, "unlimited", 9) == 0)
				v = 1.8446744073709552e19;	/* as Go reads it */
			else
				v = strtod(s, NULL);
			break;
		}
	fclose(f);
	return v;
}

/* Entries of /proc/PID/fd, or -1 (no permission, gone). */
static double
open_fds(const struct proc *p, long pid)
{
	char path[512];
	DIR *d;
	struct dirent *e;
	double n = 0;

	snprintf(path, sizeof path, "%s/%ld/fd", p->root, pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* 1 when /proc/PID/cmdline (NULs as spaces) matches the regex. */
static int
cmdline_matches(struct proc *p, long pid)
{
	char path[512], buf[8192];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/%ld/cmdline", p->root, pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	if (n == 0)
		return 0;	/* kernel threads, zombies */
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return regexec(&p->re, buf, 0, NULL, 0) == 0;
}

/* The oldest matching process (then the lowest pid), or 0. */
static long
find_match(struct proc *p)
{
	DIR *d = opendir(p->root);
	struct dirent *e;
	long best = 0;
	unsigned long long best_start = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		struct pstat ps;

		if (*end != '\0' || pid <= 0 || pid == p->self)
			continue;
		if (!cmdline_matches(p, pid) || read_stat(p, pid, &ps) < 0)
			continue;
		if (best == 0 || ps.start < best_start ||
		    (ps.start == best_start && pid < best)) {
			best = pid;
			best_start = ps.start;
		}
	}
	closedir(d);
	return best;
}

/* The pid to look at this round, or 0 with why in msg. */
static long
locate(struct proc *p, char *msg, size_t len)
{
	if (p->pid > 0)
		return p->pid;
	if (p->pidfile) {
		FILE *f = fopen(p->pidfile, "r");
		char line[64], *end;
		long pid;

		if (f == NULL) {
			snprintf(msg, len, "pidfile %s: %s", p->pidfile,
			    strerror(errno));
			return 0;
		}
		if (fgets(line, sizeof line, f) == NULL)
			line[0] = '\0';
		fclose(f);
		pid = strtol(line, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\n' ||
		    *end == '\r')
			end++;
		if (end == line || *end != '\0' || pid <= 0) {
			snprintf(msg, len, "pidfile %s does not hold a pid",
			    p->pidfile);
			return 0;
		}
		return pid;
	}
	if (p->have_re) {
		/* the process of last round, while it still matches */
		if (p->cur_pid > 0 && cmdline_matches(p, p->cur_pid))
			return p->cur_pid;
		long pid = find_match(p);

		if (pid == 0)
			snprintf(msg, len, "no process matches '%s'", p->match);
		return pid;
	}
	snprintf(msg, len, "no process configured");
	return 0;
}

static int
put(pl_mon_sink *k, const char *name, int64_t t, double v)
{
	return pl_mon_sink_sample(k, name, NULL, 0, t, v);
}

static int
proc_poll(void *state, int64_t now_ms, int64_t deadline_ms,
    pl_mon_sink *k)
{
	struct proc *p = state;
	char msg[600];
	struct pstat ps;
	long pid;
	int rc;

	(void)deadline_ms;	/* a few small /proc reads */
	msg[0] = '\0';
	pid = locate(p, msg, sizeof msg);
	if (pid > 0 && read_stat(p, pid, &ps) < 0) {
		snprintf(msg, sizeof msg, "pid %ld is gone", pid);
		pid = 0;
	}
	if (pid == 0) {
		p->cur_pid = 0;
		if ((rc = put(k, PL_SERIES_PROC_UP, now_ms, 0)) != PL_OK)
			return rc;
		return pl_mon_sink_state(k, "process", "down", msg);
	}
	double cpu = (double)(ps.utime + ps.stime) / (double)p->clk_tck;
	double start = p->boot_s + (double)ps.start / (double)p->clk_tck;
	double fds = open_fds(p, pid), maxf = max_fds(p, pid);

	if ((rc = put(k, PL_SERIES_PROC_UP, now_ms, 1)) != PL_OK ||
	    (rc = put(k, PL_SERIES_PROC_CPU, now_ms, cpu)) != PL_OK ||
	    (rc = put(k, PL_SERIES_PROC_RSS, now_ms,
	    (double)ps.rss * (double)p->page)) != PL_OK ||
	    (rc = put(k, PL_SERIES_PROC_VSZ, now_ms,
	    (double)ps.vsize)) != PL_OK ||
	    (rc = put(k, PL_SERIES_PROC_START, now_ms, start)) != PL_OK ||
	    (rc = put(k, PL_SERIES_PROC_THREADS, now_ms,
	    (double)ps.threads)) != PL_OK ||
	    (fds >= 0 && (rc = put(k, PL_SERIES_PROC_FDS, now_ms,
	    fds)) != PL_OK) ||
	    (maxf >= 0 && (rc = put(k, PL_SERIES_PROC_MAX_FDS, now_ms,
	    maxf)) != PL_OK))
		return rc;
	if (p->cur_pid > 0 && (p->cur_pid != pid || p->cur_start != ps.start)) {
		snprintf(msg, sizeof msg, "pid %ld -> pid %ld", p->cur_pid, pid);
		p->cur_pid = pid;
		p->cur_start = ps.start;
		return pl_mon_sink_state(k, "process", "restarted", msg);
	}
	p->cur_pid = pid;
	p->cur_start = ps.start;
	snprintf(msg, sizeof msg, "pid %ld", pid);
	return pl_mon_sink_state(k, "process", "up", msg);
}

static void
proc_close(void *state)
{
	proc_free(state);
}

const pl_mon_source_ops pl_mon_proc_ops = {
	.kind = "process",
	.wants = proc_wants,
	.open = proc_open,
	.poll = proc_poll,
	.close = proc_close,
};
