/* pager.c - show a file in the user's $PAGER with the screen suspended, then come back. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xalloc.h"

/*
 * $PAGER is a command line (it may carry options: "less -R"), so it
 * runs through /bin/sh with the path as "$1": the path is never pasted
 * into the command text.  The terminal is handed over (endwin) and
 * taken back afterwards; Ctrl-C belongs to the pager meanwhile.
 */
int
app_page_file(struct app *a, const char *path)
{
	const char *pager = getenv("PAGER");
	struct sigaction ign, oint, oquit;
	struct stat sb;
	char *cmd;
	pid_t pid;
	int status = 0;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		app_error(a, "cannot show %s: %s", path, errno ? strerror(errno) :
		    "not a file");
		return -1;
	}
	if (pager == NULL || *pager == '\0')
		pager = "less";
	cmd = xasprintf("%s \"$1\"", pager);
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	endwin();
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	free(cmd);
	a->full = true;
	if (pid < 0) {
		app_error(a, "cannot start the pager: %s", strerror(errno));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		app_error(a, "the pager '%s' could not run", pager);
		return -1;
	}
	return 0;
}
