/* cmd-detect.c - `plumb detect`: feed a CSV column to a concept-drift detector and list where it fired. */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "data/csvread.h"
#include "drift/detect.h"
#include "json.h"
#include "utf8.h"
#include "xalloc.h"

struct idx {
	size_t *v;
	size_t n, cap;
};

static void
idx_add(struct idx *x, size_t i)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		x->v = xreallocarray(x->v, x->cap, sizeof *x->v);
	}
	x->v[x->n++] = i;
}

static int
num_opt(const char *name, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v))
		return cli_usage("detect", "--%s wants a number, not '%s'", name, s);
	*out = v;
	return CLI_OK;
}

static void
print_list(const char *what, const struct idx *x)
{
	printf("%zu %s%s", x->n, what, x->n == 1 ? "" : "s");
	if (x->n)
		fputs(" at rows", stdout);
	for (size_t i = 0; i < x->n; i++)
		printf("%s%zu", i ? ", " : " ", x->v[i]);
	fputc('\n', stdout);
}

static int
run(int argc, char **argv)
{
	enum { O_JSON = 256, O_DELTA, O_THR, O_ALPHA, O_BETA, O_WARM, O_CLOCK,
		O_MININST, O_DELIM };
	static const struct option opts[] = {
		{ "column", required_argument, NULL, 'c' },
		{ "detector", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, O_JSON },
		{ "delta", required_argument, NULL, O_DELTA },
		{ "threshold", required_argument, NULL, O_THR },
		{ "alpha", required_argument, NULL, O_ALPHA },
		{ "beta", required_argument, NULL, O_BETA },
		{ "warm-start", required_argument, NULL, O_WARM },
		{ "clock", required_argument, NULL, O_CLOCK },
		{ "min-instances", required_argument, NULL, O_MININST },
		{ "delimiter", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const char *column = NULL, *path;
	int kind = PL_DETECT_ADWIN, json = 0, c, rc, status = CLI_OK;
	double delta = NAN, thr = NAN, alpha = NAN, beta = NAN, warm = NAN,
	    clock = NAN, minst = NAN;
	struct pl_csv_opts co;
	struct pl_detect_params p;
	pl_csv_table *t = NULL;
	pl_detect *det = NULL;
	struct idx drifts = { 0 }, warns = { 0 };
	char err[1024];
	const char *cols[1];

	memset(&co, 0, sizeof co);
	while ((c = getopt_long(argc, argv, "c:D:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			column = optarg;
			break;
		case 'D':
			kind = pl_detect_kind_parse(optarg);
			if (kind < 0)
				return cli_usage("detect", "unknown --detector '%s' (adwin, ddm, eddm, page_hinkley)", optarg);
			break;
		case O_JSON:
			json = 1;
			break;
		case O_DELTA: if ((rc = num_opt("delta", optarg, &delta))) return rc; break;
		case O_THR: if ((rc = num_opt("threshold", optarg, &thr))) return rc; break;
		case O_ALPHA: if ((rc = num_opt("alpha", optarg, &alpha))) return rc; break;
		case O_BETA: if ((rc = num_opt("beta", optarg, &beta))) return rc; break;
		case O_WARM: if ((rc = num_opt("warm-start", optarg, &warm))) return rc; break;
		case O_CLOCK: if ((rc = num_opt("clock", optarg, &clock))) return rc; break;
		case O_MININST: if ((rc = num_opt("min-instances", optarg, &minst))) return rc; break;
		case 'd':
			if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\\t") == 0)
				co.delimiter = '\t';
			else if (strlen(optarg) == 1 && optarg[0] != '"')
				co.delimiter = optarg[0];
			else
				return cli_usage("detect", "--delimiter wants one character (or 'tab')");
			break;
		default:
			return cli_usage("detect", "bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage("detect", "expected one STREAM.csv");
	path = argv[optind];
	pl_detect_defaults(&p, kind);
	if (!isnan(delta)) p.delta = delta;
	if (!isnan(thr)) {
		p.threshold = thr;	/* Page-Hinkley lambda */
		p.drift_threshold = thr;	/* DDM drift level */
	}
	if (!isnan(alpha)) p.alpha = alpha;
	if (!isnan(beta)) p.beta = beta;
	if (!isnan(warm)) p.warm_start = (int)warm;
	if (!isnan(clock)) p.clock = (int)clock;
	if (!isnan(minst)) p.min_instances = (int)minst;
	if (pl_detect_new(&det, kind, &p) != PL_OK)
		return cli_usage("detect", "bad parameters for %s", pl_detect_kind_name(kind));

	if (column) {
		cols[0] = column;
		co.columns = cols;
		co.n_columns = 1;
	}
	co.keep_missing = 1;
	rc = pl_csv_read(&t, path, &co, err, sizeof err);
	if (rc != PL_OK) {
		struct buf b = BUF_INIT;
		utf8_sanitize(&b, err, strlen(err), 0);
		status = cli_error("%s", buf_str(&b));
		buf_free(&b);
		goto out;
	}
	long ci = column ? pl_csv_find(t, column) : 0;
	if (!column && pl_csv_ncols(t) != 1) {
		status = cli_usage("detect", "%s has %zu columns: say which one with --column",
		    path, pl_csv_ncols(t));
		goto out;
	}
	if (pl_csv_storage(t, (size_t)ci) != PL_CSV_NUM) {
		struct buf b = BUF_INIT;
		const char *nm = pl_csv_name(t, (size_t)ci);
		utf8_sanitize(&b, nm, strlen(nm), 0);
		status = cli_error("%s: column '%s' holds text; a detector needs numbers",
		    path, buf_str(&b));
		buf_free(&b);
		goto out;
	}
	{
		const double *v = pl_csv_num(t, (size_t)ci);
		size_t n = pl_csv_rows(t);
		int prev_warn = 0;

		/* Missing rows are not fed, but keep their index. */
		for (size_t i = 0; i < n; i++) {
			if (isnan(v[i]))
				continue;
			int sig = pl_detect_update(det, v[i]);
			if (sig < 0) {
				status = cli_error("out of memory");
				goto out;
			}
			if (sig == PL_DETECT_DRIFT)
				idx_add(&drifts, i);
			/* warnings are reported where a warning zone begins */
			if (sig == PL_DETECT_WARNING && !prev_warn)
				idx_add(&warns, i);
			prev_warn = sig == PL_DETECT_WARNING;
		}
		if (json) {
			struct buf b = BUF_INIT;
			struct json j;
			json_init(&j, &b);
			json_obj_begin(&j);
			json_key(&j, "detector");
			json_str(&j, pl_detect_kind_name(kind));
			json_key(&j, "path");
			json_str(&j, path);
			json_key(&j, "column");
			json_str(&j, pl_csv_name(t, (size_t)ci));
			json_key(&j, "rows");
			json_int(&j, (int64_t)n);
			json_key(&j, "missing");
			json_int(&j, (int64_t)pl_csv_missing(t, (size_t)ci));
			json_key(&j, "drifts");
			json_arr_begin(&j);
			for (size_t k = 0; k < drifts.n; k++)
				json_int(&j, (int64_t)drifts.v[k]);
			json_arr_end(&j);
			json_key(&j, "warnings");
			json_arr_begin(&j);
			for (size_t k = 0; k < warns.n; k++)
				json_int(&j, (int64_t)warns.v[k]);
			json_arr_end(&j);
			json_obj_end(&j);
			if (json_error(&j))
				xoom();
			fwrite(b.p, 1, b.len, stdout);
			fputc('\n', stdout);
			buf_free(&b);
		} else {
			printf("%s on column ", pl_detect_kind_name(kind));
			cli_put_safe(stdout, pl_csv_name(t, (size_t)ci));
			printf(" (%zu rows, %zu missing): ", n,
			    pl_csv_missing(t, (size_t)ci));
			print_list("drift", &drifts);
			if (pl_detect_has_warnings(kind)) {
				fputs("  ", stdout);
				print_list("warning", &warns);
			}
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		status = cli_error("error writing the report");
out:
	free(drifts.v);
	free(warns.v);
	pl_detect_free(det);
	pl_csv_free(t);
	return status;
}

const struct cli_cmd cli_cmd_detect = {
	"detect", run, "find concept drift in a stream (ADWIN, DDM, EDDM, Page-Hinkley)",
	"usage: plumb detect STREAM.csv [--column C]\n"
	"                    [--detector adwin|ddm|eddm|page_hinkley] [--json]\n"
	"\n"
	"Feeds one numeric column of STREAM.csv, row by row, to a concept-drift\n"
	"detector with River's update rules and defaults, and prints the 0-based\n"
	"rows where it signalled drift, and for ddm and eddm the rows where a\n"
	"warning zone began.  Rows with a missing value are not fed (their\n"
	"indices still count).  ddm and eddm read 1 as an error, 0 as correct.\n"
	"\n"
	"options:\n"
	"  -c, --column C        the column to feed (needed unless the file has one)\n"
	"  -D, --detector NAME   adwin (default), ddm, eddm or page_hinkley\n"
	"      --json            {\"detector\", \"rows\", \"drifts\": [..], \"warnings\": [..]}\n"
	"      --delta X         adwin delta (0.002) or page_hinkley delta (0.005)\n"
	"      --threshold X     page_hinkley lambda (50) or ddm drift level (3)\n"
	"      --alpha X         eddm warning level (0.95); page_hinkley forgetting\n"
	"                        factor (0.9999)\n"
	"      --beta X          eddm drift level (0.9)\n"
	"      --warm-start N    ddm/eddm warm start (30)\n"
	"      --clock N         adwin: test every N rows (32)\n"
	"      --min-instances N page_hinkley warm-up (30)\n"
	"  -d, --delimiter CHAR  field separator (default ',')\n"
	"\n"
	"See plumb-detect(1).\n"
};
