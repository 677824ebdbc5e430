/* logtail-t.c - unit tests of the log follower: appends, partial lines, both rotations, deletion, restarts. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/error.h"
#include "monitor/logtail.h"

struct got {
	char text[65536];	/* delivered lines joined by '|' */
	int n, headers;
};

static int
collect(void *ctx, const char *line, size_t len, unsigned flags)
{
	struct got *g = ctx;

	if (flags & PL_TAIL_LINE_HEADER_ONLY) {
		g->headers++;
		return 0;
	}
	strncat(g->text, line, len);
	strcat(g->text, "|");
	g->n++;
	return 0;
}

static char dir[256];
static char path[300];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/plumb-tail.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/p.log", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	(void)!system(cmd);
	return 0;
}

static void
append(const char *p, const char *s)
{
	int fd = open(p, O_WRONLY | O_APPEND | O_CREAT, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

static void
poll_into(pl_tail *t, struct got *g, unsigned *ev)
{
	assert_int_equal(pl_tail_poll(t, collect, g, 0, ev), PL_OK);
}

static void
test_append_and_partial(void **state)
{
	pl_tail *t;
	struct got g = { "", 0, 0 };
	unsigned ev;

	(void)state;
	assert_int_equal(pl_tail_new(&t, path, NULL), PL_OK);
	poll_into(t, &g, &ev);
	assert_true(ev & PL_TAIL_EV_MISSING);
	append(path, "a\nb\r\nhalf");
	poll_into(t, &g, &ev);
	assert_string_equal(g.text, "a|b|");
	append(path, "-done\n");
	poll_into(t, &g, &ev);
	assert_string_equal(g.text, "a|b|half-done|");
	struct pl_tail_pos pos;
	pl_tail_position(t, &pos);
	assert_int_equal(pos.offset, 15);
	pl_tail_free(t);
}

static void
test_rename_rotation(void **state)
{
	pl_tail *t;
	struct got g = { "", 0, 0 };
	unsigned ev;
	char rotated[320];

	(void)state;
	append(path, "1\n2\n");
	assert_int_equal(pl_tail_new(&t, path, NULL), PL_OK);
	poll_into(t, &g, &ev);
	/* the writer appends, then logrotate renames, the writer appends to
	 * the old file once more, then reopens */
	append(path, "3\n");
	snprintf(rotated, sizeof rotated, "%s.1", path);
	assert_int_equal(rename(path, rotated), 0);
	append(rotated, "4\n");
	append(path, "5\n");
	poll_into(t, &g, &ev);
	assert_true(ev & PL_TAIL_EV_ROTATED);
	assert_string_equal(g.text, "1|2|3|4|5|");
	append(path, "6\n");
	poll_into(t, &g, &ev);
	assert_string_equal(g.text, "1|2|3|4|5|6|");
	pl_tail_free(t);
}

/* A rotated file whose last line is half written waits for it. */
static void
test_rename_rotation_partial(void **state)
{
	pl_tail *t;
	struct got g = { "", 0, 0 };
	unsigned ev;
	char rotated[320];

	(void)state;
	append(path, "1\n2-");
	assert_int_equal(pl_tail_new(&t, path, NULL), PL_OK);
	poll_into(t, &g, &ev);
	assert_string_equal(g.text, "1|");
	snprintf(rotated, sizeof rotated, "%s.1", path);
	assert_int_equal(rename(path, rotated), 0);
	append(path, "3\n");
	poll_into(t, &g, &ev);
	assert_string_equal(g.text, "1|");
	append(rotated, "end\n");
	poll_into(t, &g, &ev);
	assert_string_equal(g.text, "1|2-end|3|");
	pl_tail_free(t);
}

static void
test_copytruncate(void **state)
{
	pl_tail *t;
	struct got g = { "", 0, 0 };
	unsigned ev;
	char cmd[800];

	(void)state;
	append(path, "alpha\nbeta\n");
	assert_int_equal(pl_tail_new(&t, path, NULL), PL_OK);
	poll_into(t, &g, &ev);
	append(path, "gamma\n");	/* not yet read when the copy is made */
	snprintf(cmd, sizeof cmd, "cp '%s' '%s.1' && : > '%s'", path, path, path);
	assert_int_equal(system(cmd), 0);
	append(path, "delta\n");
	poll_into(t, &g, &ev);
	assert_true(ev & PL_TAIL_EV_TRUNCATED);
	assert_true(ev & PL_TAIL_EV_COPY_READ);
	assert_string_equal(g.text, "alpha|beta|gamma|delta|");
	/* truncated and rewritten longer than before: caught by fingerprint */
	snprintf(cmd, sizeof cmd, "cp '%s' '%s.1' && : > '%s'", path, path, path);
	assert_int_equal(system(cmd), 0);
	append(path, "epsilon-is-longer\n");
	poll_into(t, &g, &ev);
	assert_true(ev & PL_TAIL_EV_TRUNCATED);
	assert_string_equal(g.text, "alpha|beta|gamma|delta|epsilon-is-longer|");
	pl_tail_free(t);
}

static void
test_delete_recreate(void **state)
{
	pl_tail *t;
	struct got g = { "", 0, 0 };
	unsigned ev;

	(void)state;
	append(path, "x\n");
	assert_int_equal(pl_tail_new(&t, path, NULL), PL_OK);
	poll_into(t, &g, &ev);
	assert_int_equal(unlink(path), 0);
	poll_into(t, &g, &ev);
	assert_true(ev & PL_TAIL_EV_MISSING);
	poll_into(t, &g, &ev);
	assert_false(ev & PL_TAIL_EV_MISSING);	/* reported once */
	append(path, "y\n");
	poll_into(t, &g, &ev);
	assert_true(ev & PL_TAIL_EV_ROTATED);
	assert_string_equal(g.text, "x|y|");
	pl_tail_free(t);
}

/* Stop and restart at the stored position: nothing again, nothing lost,
 * even when the log was rotated while the follower was down. */
static void
test_resume(void **state)
{
	pl_tail *t;
	struct got g = { "", 0, 0 };
	unsigned ev;
	struct pl_tail_pos pos;
	char rotated[320];

	(void)state;
	append(path, "h\n1\n2\n");
	assert_int_equal(pl_tail_new(&t, path, NULL), PL_OK);
	poll_into(t, &g, &ev);
	pl_tail_position(t, &pos);
	pl_tail_free(t);

	append(path, "3\n");
	assert_int_equal(pl_tail_new(&t, path, &pos), PL_OK);
	poll_into(t, &g, &ev);
	assert_true(ev & PL_TAIL_EV_RESUMED);
	assert_int_equal(g.headers, 1);	/* first line replayed for CSV */
	assert_string_equal(g.text, "h|1|2|3|");
	pl_tail_position(t, &pos);
	pl_tail_free(t);

	append(path, "4\n");
	snprintf(rotated, sizeof rotated, "%s.1", path);
	assert_int_equal(rename(path, rotated), 0);
	append(path, "h\n5\n");
	assert_int_equal(pl_tail_new(&t, path, &pos), PL_OK);
	poll_into(t, &g, &ev);
	poll_into(t, &g, &ev);
	assert_string_equal(g.text, "h|1|2|3|4|h|5|");
	pl_tail_free(t);

	/* a position of another file entirely: start over */
	struct pl_tail_pos bogus = pos;
	bogus.ino += 12345;
	bogus.fp ^= 1;
	memset(&g, 0, sizeof g);
	assert_int_equal(pl_tail_new(&t, path, &bogus), PL_OK);
	poll_into(t, &g, &ev);
	assert_true(ev & PL_TAIL_EV_RESTARTED);
	assert_string_equal(g.text, "h|5|");
	pl_tail_free(t);
}

/* Truncated (copytruncate) while down: the rest comes from the copy. */
static void
test_resume_after_copytruncate(void **state)
{
	pl_tail *t;
	struct got g = { "", 0, 0 };
	unsigned ev;
	struct pl_tail_pos pos;
	char cmd[800];

	(void)state;
	append(path, "one\ntwo\n");
	assert_int_equal(pl_tail_new(&t, path, NULL), PL_OK);
	poll_into(t, &g, &ev);
	pl_tail_position(t, &pos);
	pl_tail_free(t);
	append(path, "three\n");
	snprintf(cmd, sizeof cmd, "cp '%s' '%s.1' && : > '%s'", path, path, path);
	assert_int_equal(system(cmd), 0);
	append(path, "four\n");
	assert_int_equal(pl_tail_new(&t, path, &pos), PL_OK);
	poll_into(t, &g, &ev);
	poll_into(t, &g, &ev);
	assert_string_equal(g.text, "one|two|three|four|");
	pl_tail_free(t);
}

/* A callback that stops: the position stays before the refused line. */
static int
stop_at_b(void *ctx, const char *line, size_t len, unsigned flags)
{
	(void)flags;
	if (len == 1 && line[0] == 'b')
		return 7;
	return collect(ctx, line, len, flags);
}

static void
test_callback_stop(void **state)
{
	pl_tail *t;
	struct got g = { "", 0, 0 };
	struct pl_tail_pos pos;

	(void)state;
	append(path, "a\nb\nc\n");
	assert_int_equal(pl_tail_new(&t, path, NULL), PL_OK);
	assert_int_equal(pl_tail_poll(t, stop_at_b, &g, 0, NULL), 7);
	pl_tail_position(t, &pos);
	assert_int_equal(pos.offset, 2);
	assert_string_equal(g.text, "a|");
	pl_tail_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_and_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_rotation_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copytruncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_recreate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_after_copytruncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_stop, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
