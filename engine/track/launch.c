/* launch.c - fork/exec a child in its own process group and pump its pipes until it ends. */
#include "config.h"
#include "track/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/error.h"

extern char **environ;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Builds environ + env_add (later entries override same-named ones). */
static char **
make_env(char *const *add)
{
	size_t n = 0, m = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	while (add && add[m])
		m++;
	env = calloc(n + m + 1, sizeof *env);
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t klen = strcspn(environ[i], "=");
		int overridden = 0;

		for (size_t j = 0; j < m; j++)
			if (strncmp(add[j], environ[i], klen) == 0 &&
			    add[j][klen] == '=')
				overridden = 1;
		if (!overridden)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < m; j++)
		env[k++] = add[j];
	env[k] = NULL;
	return env;
}

/* In the child: never returns. Reports exec failure on errfd. */
static void
child(const pl_launch_opts *o, char **env, int out_w, int err_w, int proto_w,
    int errfd, int take_tty)
{
	int e;

	setpgid(0, 0);
	if (take_tty) {
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(STDIN_FILENO, getpid());
	}
	/* Restore default dispositions the parent may have changed. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	if (o->cwd && chdir(o->cwd) < 0)
		goto fail;
	if (o->stdin_path) {
		int fd = open(o->stdin_path, O_RDONLY);

		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
			goto fail;
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (dup2(out_w, STDOUT_FILENO) < 0 || dup2(err_w, STDERR_FILENO) < 0)
		goto fail;
	if (proto_w >= 0) {
		/* PLUMB_FD is always 3: shells like dash only redirect to
		 * single-digit descriptors (echo ... >&3). dup2 clears
		 * close-on-exec on the copy; when it is already 3, clear it. */
		if (proto_w == PL_LAUNCH_PROTO_FD) {
			int fl = fcntl(proto_w, F_GETFD);

			fcntl(proto_w, F_SETFD, fl & ~FD_CLOEXEC);
		} else if (dup2(proto_w, PL_LAUNCH_PROTO_FD) < 0) {
			goto fail;
		}
	}
	execvpe(o->argv[0], o->argv, env);
fail:
	e = errno;
	(void)!write(errfd, &e, sizeof e);
	_exit(127);
}

int
pl_launch_run(pl_launch_result *out, const pl_launch_opts *o, char *err,
    size_t err_len)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, pp[2] = { -1, -1 };
	int perr[2] = { -1, -1 }, logo = -1, loge = -1, take_tty = 0;
	int status = 0, exited = 0, nsig = 0, rc = PL_OK, e = 0;
	char **env = NULL, *envfd = NULL;
	char *const *add = o->env_add;
	char **add2 = NULL;
	char buf[65536];
	double started, child_done = 0, term_sent = 0;
	pid_t pid;

	memset(out, 0, sizeof *out);
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
	    pipe2(perr, O_CLOEXEC) < 0 ||
	    (o->proto && pipe2(pp, O_CLOEXEC) < 0)) {
		snprintf(err, err_len, "cannot create pipes: %s",
		    strerror(errno));
		rc = PL_EIO;
		goto done;
	}
	if (o->stdout_log && (logo = open(o->stdout_log, O_WRONLY | O_CREAT |
	    O_APPEND | O_CLOEXEC, 0666)) < 0) {
		snprintf(err, err_len, "cannot write %s: %s", o->stdout_log,
		    strerror(errno));
		rc = PL_EIO;
		goto done;
	}
	if (o->stderr_log && (loge = open(o->stderr_log, O_WRONLY | O_CREAT |
	    O_APPEND | O_CLOEXEC, 0666)) < 0) {
		snprintf(err, err_len, "cannot write %s: %s", o->stderr_log,
		    strerror(errno));
		rc = PL_EIO;
		goto done;
	}
	if (o->proto) {
		size_t m = 0;

		while (add && add[m])
			m++;
		add2 = calloc(m + 2, sizeof *add2);
		if (add2 == NULL || asprintf(&envfd, "PLUMB_FD=%d", PL_LAUNCH_PROTO_FD) < 0) {
			envfd = NULL;
			snprintf(err, err_len, "out of memory");
			rc = PL_ENOMEM;
			goto done;
		}
		for (size_t i = 0; i < m; i++)
			add2[i] = add[i];
		add2[m] = envfd;
		add = add2;
	}
	if ((env = make_env(add)) == NULL) {
		snprintf(err, err_len, "out of memory");
		rc = PL_ENOMEM;
		goto done;
	}
	take_tty = !o->no_terminal && o->stdin_path == NULL &&
	    isatty(STDIN_FILENO) &&
	    tcgetpgrp(STDIN_FILENO) == getpgrp();
	pid = fork();
	if (pid < 0) {
		snprintf(err, err_len, "cannot start a process: %s",
		    strerror(errno));
		rc = PL_EIO;
		goto done;
	}
	if (pid == 0)
		child(o, env, po[1], pe[1], pp[1], perr[1], take_tty);
	out->pid = pid;
	/* Both sides set the group, so neither races the other. */
	setpgid(pid, pid);
	if (take_tty) {
		void (*old)(int) = signal(SIGTTOU, SIG_IGN);

		tcsetpgrp(STDIN_FILENO, pid);
		signal(SIGTTOU, old);
	}
	close(po[1]);
	close(pe[1]);
	close(perr[1]);
	po[1] = pe[1] = perr[1] = -1;
	if (pp[1] >= 0) {
		close(pp[1]);
		pp[1] = -1;
	}
	/* Did exec work? The error pipe closes on exec, or carries errno. */
	while (read(perr[0], &e, sizeof e) < 0 && errno == EINTR)
		;
	if (e != 0) {
		waitpid(pid, &status, 0);
		snprintf(err, err_len, "cannot run '%s': %s", o->argv[0],
		    strerror(e));
		out->exit_status = e == ENOENT ? 127 : 126;
		rc = e == ENOENT ? PL_ENOTFOUND : PL_EIO;
		goto done;
	}
	started = now_s();
	for (;;) {
		struct pollfd pf[3];
		int nf = 0, open_fds = 0, prc;
		int fds[3] = { po[0], pe[0], pp[0] };

		for (int i = 0; i < 3; i++)
			if (fds[i] >= 0) {
				pf[nf].fd = fds[i];
				pf[nf].events = POLLIN;
				pf[nf].revents = 0;
				nf++;
				open_fds++;
			}
		if (o->on_tick)
			o->on_tick(o->payload);
		if (o->pending && *o->pending) {
			int sig = (int)*o->pending;

			*o->pending = 0;
			nsig++;
			out->interrupted = 1;
			kill(-pid, nsig >= 3 ? SIGKILL : sig);
		}
		if (o->timeout_s > 0 && !exited) {
			double el = now_s() - started;

			if (el > o->timeout_s && term_sent == 0) {
				out->timed_out = 1;
				kill(-pid, SIGTERM);
				term_sent = now_s();
			} else if (term_sent > 0 && now_s() - term_sent > 5) {
				kill(-pid, SIGKILL);
			}
		}
		if (!exited) {
			pid_t w = waitpid(pid, &status, WNOHANG);

			if (w == pid) {
				exited = 1;
				child_done = now_s();
			}
		}
		/* After the child ended, grandchildren may still hold the
		 * pipes: drain for a moment, then stop listening. */
		if (open_fds == 0 || (exited && now_s() - child_done > 0.5))
			break;
		prc = poll(pf, (nfds_t)nf, exited ? 50 : 200);
		if (prc < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, err_len, "poll: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < nf; i++) {
			ssize_t n;
			int which;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			which = pf[i].fd == po[0] ? 1 : pf[i].fd == pe[0] ? 2 : 3;
			n = read(pf[i].fd, buf, sizeof buf);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(pf[i].fd);
				if (which == 1)
					po[0] = -1;
				else if (which == 2)
					pe[0] = -1;
				else
					pp[0] = -1;
				continue;
			}
			if (which == 3) {
				if (o->on_proto && !out->stopped_by_proto &&
				    o->on_proto(buf, (size_t)n, o->payload)) {
					out->stopped_by_proto = 1;
					kill(-pid, SIGTERM);
				}
				continue;
			}
			if ((which == 1 ? logo : loge) >= 0)
				(void)write_all(which == 1 ? logo : loge, buf,
				    (size_t)n);
			if (o->on_output)
				o->on_output(which, buf, (size_t)n, o->payload);
		}
	}
	if (!exited) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
			if (o->pending && *o->pending) {
				int sig = (int)*o->pending;

				*o->pending = 0;
				out->interrupted = 1;
				kill(-pid, ++nsig >= 3 ? SIGKILL : sig);
			}
		}
	}
	if (WIFEXITED(status)) {
		out->exit_status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		out->signaled = 1;
		out->term_signal = WTERMSIG(status);
		out->exit_status = 128 + WTERMSIG(status);
	}
done:
	if (take_tty) {
		void (*old)(int) = signal(SIGTTOU, SIG_IGN);

		tcsetpgrp(STDIN_FILENO, getpgrp());
		signal(SIGTTOU, old);
	}
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0) close(po[i]);
		if (pe[i] >= 0) close(pe[i]);
		if (pp[i] >= 0) close(pp[i]);
		if (perr[i] >= 0) close(perr[i]);
	}
	if (logo >= 0)
		close(logo);
	if (loge >= 0)
		close(loge);
	free(env);
	free(add2);
	free(envfd);
	return rc;
}
