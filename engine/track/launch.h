/* launch.h - running a tracked child process: pipes, logs, signals, exit status. */
#ifndef PL_ENGINE_LAUNCH_H
#define PL_ENGINE_LAUNCH_H

#include <signal.h>
#include <stddef.h>

/*
 * pl_launch_run() runs argv in its own process group and stays with it
 * until it ends: stdout and stderr come back through pipes, are appended
 * to log files and handed to on_output (so a front end can show them
 * live); when proto is set, a third pipe is passed as PLUMB_FD and its
 * bytes go to on_proto.  Nothing here prints.
 *
 * Signals: the caller's handlers store a signal number in *pending (for
 * SIGINT, SIGTERM, SIGHUP); the loop forwards it to the child's process
 * group, and after the third request sends SIGKILL.  When stdin is the
 * controlling terminal and the caller is in the foreground, the child's
 * group gets the terminal for the run (so it can read the keyboard and
 * receive Ctrl-C itself) and the caller takes it back afterwards.
 */
/* The descriptor number the child gets as PLUMB_FD. */
#define PL_LAUNCH_PROTO_FD 3

typedef struct pl_launch_opts {
	char *const *argv;		/* argv[0] is looked up in PATH */
	const char *cwd;		/* NULL: inherit */
	char *const *env_add;		/* "KEY=VALUE" added/overriding, NULL-ended */
	const char *stdout_log;		/* append child's stdout here (or NULL) */
	const char *stderr_log;
	int proto;			/* create the PLUMB_FD pipe */
	/* stream 1 or 2; called on the caller's thread. */
	void (*on_output)(int stream, const char *data, size_t n, void *payload);
	/* PLUMB_FD bytes; a nonzero return stops the run (SIGTERM to the
	 * group) because its data can no longer be recorded. */
	int (*on_proto)(const char *data, size_t n, void *payload);
	/* Called on every turn of the loop (at least every 200 ms). */
	void (*on_tick)(void *payload);
	void *payload;
	volatile sig_atomic_t *pending;	/* signal to forward, 0 = none */
	double timeout_s;		/* > 0: SIGTERM, then SIGKILL after 5 s */
	int no_terminal;		/* never hand the terminal to the child
					 * (several children at once) */
	const char *stdin_path;		/* child's stdin from this file
					 * (e.g. /dev/null); NULL: inherit */
} pl_launch_opts;

typedef struct pl_launch_result {
	int exit_status;	/* 0-255 as a shell reports it (128+N for a
				 * signal, 127 when the command was not found) */
	int signaled;		/* ended by a signal */
	int term_signal;
	int interrupted;	/* we forwarded a signal to it */
	int timed_out;
	int stopped_by_proto;	/* on_proto asked to stop */
	long pid;
} pl_launch_result;

/*
 * Returns PL_OK once the child has ended (whatever its status), or an
 * error before it could start (err says why: PL_ENOTFOUND when the
 * command does not exist, PL_EIO otherwise; out->exit_status is then 127
 * or 126 like a shell's).
 */
int pl_launch_run(pl_launch_result *out, const pl_launch_opts *o, char *err,
    size_t err_len);

#endif
