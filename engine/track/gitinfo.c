/* gitinfo.c - the code version of a working directory, read by running git. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "store/error.h"
#include "track/run.h"

extern char **environ;

/*
 * Runs `git -C dir ARGS...` with stdin from /dev/null and stderr
 * discarded, streaming stdout to either a buffer (first line kept, when
 * line != NULL) or a SHA-256 context (when md != NULL).  Returns git's
 * exit status, or -1 if it could not run.
 */
static int
run_git(const char *dir, const char *const *args, char *line, size_t line_len,
    EVP_MD_CTX *md, int64_t *nbytes)
{
	const char *argv[16];
	int p[2], status, n = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char buf[65536];
	size_t used = 0;

	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = dir;
	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv,
	    environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (line)
		line[0] = '\0';
	for (;;) {
		ssize_t r = read(p[0], buf, sizeof buf);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (md) {
			EVP_DigestUpdate(md, buf, (size_t)r);
			if (nbytes)
				*nbytes += r;
		}
		if (line && used + 1 < line_len) {
			size_t k = (size_t)r < line_len - 1 - used ?
			    (size_t)r : line_len - 1 - used;

			memcpy(line + used, buf, k);
			used += k;
			line[used] = '\0';
		}
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (line)
		line[strcspn(line, "\r\n")] = '\0';
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
pl_gitinfo_read(pl_gitinfo *out, const char *dir)
{
	static const char *const a_head[] = { "rev-parse", "--verify", "-q",
	    "HEAD", NULL };
	static const char *const a_branch[] = { "symbolic-ref", "-q",
	    "--short", "HEAD", NULL };
	static const char *const a_status[] = { "status", "--porcelain",
	    "--untracked-files=no", NULL };
	static const char *const a_diff[] = { "diff", "--no-ext-diff",
	    "--binary", "HEAD", NULL };
	char line[512];
	EVP_MD_CTX *md;
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;

	memset(out, 0, sizeof *out);
	out->dirty = -1;
	if (dir == NULL)
		dir = ".";
	if (run_git(dir, a_head, line, sizeof line, NULL, NULL) != 0 ||
	    line[0] == '\0')
		return PL_OK;	/* not a repository, no commit yet, or no git */
	out->commit = strdup(line);
	if (run_git(dir, a_branch, line, sizeof line, NULL, NULL) == 0 &&
	    line[0])
		out->branch = strdup(line);
	if (run_git(dir, a_status, line, sizeof line, NULL, NULL) == 0)
		out->dirty = line[0] != '\0';
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
		int64_t n = 0;

		if (run_git(dir, a_diff, NULL, 0, md, &n) == 0 &&
		    EVP_DigestFinal_ex(md, d, &dl) == 1) {
			out->diff_hash = malloc(2 * dl + 1);
			if (out->diff_hash)
				for (unsigned i = 0; i < dl; i++)
					sprintf(out->diff_hash + 2 * i,
					    "%02x", d[i]);
		}
	}
	EVP_MD_CTX_free(md);
	if (out->commit == NULL) {
		pl_gitinfo_dispose(out);
		out->dirty = -1;
		return PL_ENOMEM;
	}
	return PL_OK;
}

/* ---- files changed between two commits (for model diffs) ---- */

extern char **environ;

void
pl_strv_free(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static int
hex_commit(const char *c)
{
	size_t n = 0;

	for (; c[n]; n++)
		if (!isxdigit((unsigned char)c[n]))
			return 0;
	return n >= 4 && n <= 64;
}

int
pl_git_changed_files(char ***out, size_t *out_n, const char *dir,
    const char *commit_a, const char *commit_b)
{
	const char *argv[] = { "git", "-C", dir ? dir : ".", "diff",
	    "--name-only", commit_a, commit_b, "--", NULL };
	posix_spawn_file_actions_t fa;
	struct buf b = BUF_INIT;
	char chunk[8192], **v = NULL, *line, *save = NULL;
	size_t n = 0;
	int p[2], status = -1;
	pid_t pid;

	*out = NULL;
	*out_n = 0;
	/* Commits come from the store; refuse anything but hex so that
	 * nothing can pass as an option to git. */
	if (!commit_a || !commit_b || !hex_commit(commit_a) ||
	    !hex_commit(commit_b))
		return PL_EINVAL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return PL_EIO;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv,
	    environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		return PL_ENOTFOUND;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], chunk, sizeof chunk);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (buf_add(&b, chunk, (size_t)r) < 0)
			break;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf_free(&b);
		return PL_ENOTFOUND;
	}
	if ((v = calloc(1, sizeof *v)) == NULL) {
		buf_free(&b);
		return PL_ENOMEM;
	}
	for (line = b.p ? strtok_r(b.p, "\n", &save) : NULL; line;
	    line = strtok_r(NULL, "\n", &save)) {
		char **nv = realloc(v, (n + 2) * sizeof *v);

		if (nv == NULL || (nv[n] = strdup(line)) == NULL) {
			if (nv)
				v = nv;
			v[n] = NULL;
			pl_strv_free(v);
			buf_free(&b);
			return PL_ENOMEM;
		}
		v = nv;
		v[++n] = NULL;
	}
	buf_free(&b);
	*out = v;
	*out_n = n;
	return PL_OK;
}
